"""Combines the JSON lines of the three benchmark runs into a table (Markdown and JSON)."""
import json, os, platform, sys, time

rows = [json.loads(line) for path in sys.argv[1:] for line in open(path) if line.startswith("{")]
by = {}
for r in rows:
    by.setdefault(r["workload"], {})[r["framework"]] = r
sgemm = by.get("sgemm", {}).get("tensorgraph", {}).get("gflops")

names = {"mlp": "seed-001 MLP, 1 epoch (1875 × 32, SGD)", "fashion_mlp": "seed-003 Fashion MLP 256, 1 epoch (938 × 64, Adam)",
         "cnn": "seed-002 CNN, 1 epoch (469 × 128, Adam)", "cnn_inference_b1000": "seed-002 CNN inference, batch 1000",
         "cnn_inference_b1": "seed-002 CNN inference, batch 1"}
frameworks = [("tensorgraph", "TensorGraph"), ("tensorflow", "TF 1.x Session"), ("pytorch", "PyTorch eager")]
lines = ["| workload | " + " | ".join(f for _, f in frameworks) + " | TG ratio to fastest peer | TG accuracy | peer accuracies | threads (TG/TF/PT) |",
         "|---|---|---|---|---|---|---|---|"]
summary = {}
for key, title in names.items():
    results = by.get(key)
    if not results:
        continue
    throughput = key.startswith("cnn_inference")
    def value(r):
        return r.get("images_per_second") if throughput else r.get("median_seconds")
    cells = []
    for fw, _ in frameworks:
        r = results.get(fw)
        if r is None:
            cells.append("–")
        elif throughput:
            cells.append(f"{value(r):,.0f} img/s")
        else:
            spread = f" ({min(r['epoch_seconds']):.2f}–{max(r['epoch_seconds']):.2f})" if len(r.get("epoch_seconds", [])) > 1 else ""
            cells.append(f"{value(r):.2f} s{spread}")
    peers = [value(results[f]) for f in ("tensorflow", "pytorch") if f in results]
    tg = results.get("tensorgraph")
    ratio = "–"
    if tg and peers:
        if throughput:
            ratio = f"{value(tg) / max(peers):.2f}× throughput"
        else:
            ratio = f"{value(tg) / min(peers):.2f}× time"
    acc = f"{tg['accuracy'] * 100:.2f}%" if tg and "accuracy" in tg else "–"
    peer_acc = ", ".join(f"{results[f]['accuracy'] * 100:.2f}%" for f in ("tensorflow", "pytorch") if f in results and "accuracy" in results[f]) or "–"
    threads = "/".join(str(results[f]["threads"]) if f in results else "–" for f, _ in frameworks)
    lines.append(f"| {title} | " + " | ".join(cells) + f" | {ratio} | {acc} | {peer_acc} | {threads} |")
    summary[key] = {"results": results, "ratio": ratio}

extra = []
overhead = by.get("run_overhead", {}).get("tensorgraph")
if overhead:
    extra.append(f"Session.run overhead (one feed, one fetch, one-node plan): {overhead['microseconds']:.2f} µs per call.")
for key, label in (("allocations_mlp_sgd", "MLP + SGD"), ("allocations_fashion_mlp_adam", "Fashion MLP + Adam"), ("allocations_cnn_adam", "CNN + Adam")):
    r = by.get(key, {}).get("tensorgraph")
    if r and "allocations_per_step" in r:
        extra.append(f"Heap allocations in steady-state training ({label}): {r.get('allocations', round(r['allocations_per_step'] * 100))} "
                     f"in {r.get('steps', 100)} steps ({r['allocations_per_step']:.3f} per step).")
machine = by.get("machine", {}).get("tensorgraph")
if machine:
    extra.append(f"CPU: {machine['cpu_model']}; extensions: {' '.join(machine['cpu_extensions']) or 'none reported'}.")
isa = next((r.get("kernel_isa") for r in rows if r.get("kernel_isa")), None)
if isa:
    extra.append(f"TensorGraph's own C loops (direct convolution, pooling, epilogues, Adam) run their {isa} version.")
adam = by.get("adam_bandwidth", {}).get("tensorgraph")
if adam:
    extra.append(f"ApplyAdam on {adam['elements']:,} floats: {adam['adam_microseconds']:.0f} µs per step = {adam['adam_gbps']:.1f} GB/s "
                 f"(28 bytes an element, a 64 MB footprint) against {adam['copy_gbps']:.1f} GB/s for a copy over the same footprint on as many threads ({adam['adam_gbps'] / adam['copy_gbps'] * 100:.0f}%).")
core = next((r.get("blas_core") for r in rows if r.get("blas_core")), None)
gemm_library = next((r.get("gemm_library") for r in rows if r.get("gemm_library")), None)
workers = next((r['threads'] for r in rows if r['framework'] == 'tensorgraph'), None)
if gemm_library:
    extra.append(f"TensorGraph float32 GEMM: {gemm_library}, one thread per call, work split across {workers} workers by TensorGraph"
                 + (f"; float64 GEMM: OpenBLAS ({core} kernels)." if core else "."))
elif core:
    extra.append(f"TensorGraph BLAS: OpenBLAS with {core} kernels, single-threaded, work split across {workers} workers by TensorGraph.")
conv_kernels = next((r.get("conv_kernels") for r in rows if r.get("conv_kernels")), None)
if conv_kernels:
    extra.append("TensorGraph convolution kernels (seed CNN, batch 128): " + "; ".join(f"{k}: {v}" for k, v in sorted(conv_kernels.items())) + ".")
conv_peak = by.get("conv_peak", {}).get("tensorgraph", {}).get("gflops")
peak = max(sgemm or 0, conv_peak or 0) or None
if sgemm:
    extra.append(f"Measured sgemm (1024³, TensorGraph's row-split GEMM): {sgemm:.0f} GFLOP/s"
                 + (f"; convolution (128×14×14×16 → 32, 5×5): {conv_peak:.0f} GFLOP/s; the peak below is the faster." if conv_peak else "."))
cnn = by.get("cnn", {}).get("tensorgraph")
if cnn and "gflops" in cnn:
    extra.append(f"CNN training achieved {cnn['gflops']:.0f} GFLOP/s end to end" + (f" = {cnn['gflops'] / peak * 100:.0f}% of the measured peak ({peak:.0f} GFLOP/s)." if peak else "."))
load = os.getloadavg()
extra.append(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; load average before the report {load[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M')}.")
bench_pass = os.environ.get("BENCH_PASS", "full")
heading = "### Full instruction set" if bench_pass == "full" else f"### Instruction set capped: ONEDNN_MAX_CPU_ISA={os.environ.get('ONEDNN_MAX_CPU_ISA', '?')}"
text = heading + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(extra) + "\n"
print(text)
os.makedirs("Benchmarks/results", exist_ok=True)
suffix = "" if bench_pass == "full" else "-" + bench_pass
open(f"Benchmarks/results/latest{suffix}.md", "w").write(text)
json.dump({"rows": rows, "summary": summary, "sgemm_gflops": sgemm}, open(f"Benchmarks/results/latest{suffix}.json", "w"), indent=1, sort_keys=True)
