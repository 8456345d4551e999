"""PyTorch reference: eager mode, the usual training loop."""
import os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from common import *

EPOCHS, WANT = epochs(), workloads()
train_x, train_y, test_x, test_y = load(MNIST)
threads = torch.get_num_threads()


def glorot(module):
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return module


def accuracy(model, x, y, batch=1000):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item() for i in range(0, len(x), batch))
    model.train()
    return correct / len(x)


X, Y, TX, TY = (torch.from_numpy(a) for a in (train_x, train_y, test_x, test_y))

if "mlp" in WANT:
    model = glorot(nn.Sequential(nn.Linear(784, 64), nn.Tanh(), nn.Linear(64, 10)))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    def epoch():
        for i in range(len(X) // 32):
            opt.zero_grad()
            loss = F.cross_entropy(model(X[i * 32:(i + 1) * 32]), Y[i * 32:(i + 1) * 32])
            loss.backward()
            opt.step()
    secs = timed_epochs(epoch, EPOCHS)
    emit("pytorch", threads, workload="mlp", epoch_seconds=secs, median_seconds=median(secs), accuracy=accuracy(model, TX, TY))

if "fashion" in WANT and os.path.exists(FASHION):
    fx, fy, ftx, fty = (torch.from_numpy(a) for a in load(FASHION))
    model = glorot(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)))
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-8)
    def epoch():
        for i in range(0, len(fx), 64):
            opt.zero_grad()
            F.cross_entropy(model(fx[i:i + 64]), fy[i:i + 64]).backward()
            opt.step()
    secs = timed_epochs(epoch, EPOCHS)
    emit("pytorch", threads, workload="fashion_mlp", epoch_seconds=secs, median_seconds=median(secs), accuracy=accuracy(model, ftx, fty))

if "cnn" in WANT or "inference" in WANT:
    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = nn.Conv2d(1, 16, 5, padding=2), nn.Conv2d(16, 32, 5, padding=2)
            self.d1, self.d2 = nn.Linear(7 * 7 * 32, 128), nn.Linear(128, 10)
            self.drop = nn.Dropout(0.4)
        def forward(self, x):
            h = x.view(-1, 1, 28, 28)
            h = F.max_pool2d(F.relu(self.c1(h)), 2)
            h = F.max_pool2d(F.relu(self.c2(h)), 2)
            h = self.drop(F.relu(self.d1(h.flatten(1))))
            return self.d2(h)
    model = glorot(CNN())
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-8)
    if "cnn" in WANT:
        def epoch():
            for i in range(0, len(X), 128):
                opt.zero_grad()
                F.cross_entropy(model(X[i:i + 128]), Y[i:i + 128]).backward()
                opt.step()
        secs = timed_epochs(epoch, EPOCHS)
        emit("pytorch", threads, workload="cnn", epoch_seconds=secs, median_seconds=median(secs), accuracy=accuracy(model, TX, TY))
    if "inference" in WANT:
        model.eval()
        with torch.no_grad():
            for bs in (1000, 1):
                for i in range(0, 200 if bs == 1 else 2000, bs):
                    F.softmax(model(TX[i:i + bs]), 1)
                rates = []
                for _ in range(3):
                    start = time.perf_counter()
                    for i in range(0, 10000, bs):
                        F.softmax(model(TX[i:i + bs]), 1)
                    rates.append(10000 / (time.perf_counter() - start))
                emit("pytorch", threads, workload=f"cnn_inference_b{bs}", images_per_second=median(rates))
