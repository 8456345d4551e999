#!/usr/bin/env python3
"""The hostile-input table of issue 15: the release `graphrun` on each hostile case, under `/usr/bin/time -v`.

    Tools/hostile-table.py [--no-build] [--graphrun PATH] [--markdown]

Generates every input (GraphDefs written field by field with the wire format of TensorFlow's
graph.proto / node_def.proto / attr_value.proto / tensor.proto, the same cases as
Tests/TensorGraphTests/Security), runs `graphrun` on each and prints: exit status (or the signal),
the first line of stderr, peak RSS and wall time. A case passes when graphrun exits 0, or 1 or 64 with a
`graphrun: error:` line, never by a signal, and stays under 1 GiB of RSS (4.5 GiB for the one case the
4 GiB default limit admits). Each case runs with a 12 GiB address-space cap to protect the machine. The `while` case needs
TensorFlow (the venv /tmp/pyenv, or $TF_PYTHON) to build its StatelessWhile graph; it is skipped without.
"""
import argparse
import gzip
import os
import re
import resource
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOAT, INT32, UINT8, INT64 = 1, 3, 4, 9


# --- A protobuf writer (varints, length-delimited fields) -------------------------------------------
def varint(v):
    v &= (1 << 64) - 1  # negative int32/int64/enum values take ten bytes, as protobuf writes them
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def f_int(field, v):
    return varint(field << 3) + varint(v)


def f_bytes(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def f_str(field, text):
    return f_bytes(field, text.encode())


def shape_proto(dims):
    return b"".join(f_bytes(2, f_int(1, d)) for d in dims)


def tensor_proto(dtype, dims, floats=(), ints=()):
    t = f_int(1, dtype) + f_bytes(2, shape_proto(dims))
    if floats:
        t += f_bytes(5, b"".join(struct.pack("<f", x) for x in floats))
    if ints:  # int_val (7) for int32/uint8, int64_val (10) for int64
        t += f_bytes(10 if dtype == INT64 else 7, b"".join(varint(x) for x in ints))
    return t


# AttrValue oneof fields: list 1 (ints: 3), s 2, type 6, shape 7, tensor 8.
def a_type(t): return f_int(6, t)
def a_ints(vs): return f_bytes(1, f_bytes(3, b"".join(varint(v) for v in vs)))
def a_str(s): return f_str(2, s)
def a_shape(dims): return f_bytes(7, shape_proto(dims))
def a_tensor(dtype, dims, floats=(), ints=()): return f_bytes(8, tensor_proto(dtype, dims, floats, ints))


def node(name, op, inputs=(), **attrs):
    n = f_str(1, name) + f_str(2, op) + b"".join(f_str(3, i) for i in inputs)
    for key, value in attrs.items():
        n += f_bytes(5, f_str(1, key) + f_bytes(2, value))
    return n


def graph(*nodes):
    return b"".join(f_bytes(1, n) for n in nodes)


def placeholder(name, dims, dtype=FLOAT):
    return node(name, "Placeholder", dtype=a_type(dtype), shape=a_shape(dims))


def const(name, dims, dtype=FLOAT, floats=(), ints=()):
    return node(name, "Const", dtype=a_type(dtype), value=a_tensor(dtype, dims, floats, ints))


def unary(name, op, x, dtype=FLOAT):
    return node(name, op, [x], T=a_type(dtype))


# --- The cases -----------------------------------------------------------------------------------------
def build_inputs(d, tf_python):
    def write(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        return name

    softmax = write("softmax.pb", graph(placeholder("x", [-1, 3]), unary("probs", "Softmax", "x")))
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': ), (, }"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    write("bad.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    negative = write("negative-dtype.pb", graph(node("c", "Const", dtype=a_type(FLOAT), value=a_tensor(-5, [1], floats=[1]))))
    over_int32 = write("const-dim-over-int32.pb", graph(const("c", [3_000_000_000], floats=[1]), unary("y", "Identity", "c")))
    shape_int32 = write("shape-over-int32.pb", graph(placeholder("x", [1 << 33]),
                                                     node("s", "Shape", ["x"], T=a_type(FLOAT), out_type=a_type(INT32))))
    minus_one = write("input-minus-one.pb", graph(const("c", [1], floats=[1]), unary("i", "Identity", "c:-1")))
    conv = write("conv-stride.pb", graph(placeholder("x", [1, 8, 8, 1]), const("w", [3, 3, 1, 1], floats=[1]),
                                         node("y", "Conv2D", ["x", "w"], T=a_type(FLOAT), strides=a_ints([1, 2**63 - 1, 2**63 - 1, 1]),
                                              padding=a_str("SAME"))))
    ones = "[" + ",".join(["[" + ",".join(["[1]"] * 8) + "]"] * 8) + "]"
    chain = write("chain-30000.pb", graph(const("n0", [1], floats=[1]), *[unary(f"n{i}", "Identity", f"n{i - 1}") for i in range(1, 30000)]))
    huge_ph = write("huge-placeholder.pb", graph(placeholder("x", [-1, 1 << 32, 1 << 32, 2]), unary("y", "Identity", "x")))
    write("small.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", 118) +
          ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".ljust(117) + "\n").encode() + b"\0" * 24)
    ints = write("int64.pb", graph(placeholder("x", [-1], INT64), unary("y", "Identity", "x", INT64)))
    pad = write("pad.pb", graph(const("x", [1], floats=[1]), const("p", [1, 2], INT32, ints=[0, 2_000_000_000]),
                                node("y", "Pad", ["x", "p"], T=a_type(FLOAT))))
    fill = write("fill-8g.pb", graph(const("d", [2], INT32, ints=[65536, 32768]), const("v", [], floats=[1]),
                                     node("y", "Fill", ["d", "v"], T=a_type(FLOAT))))
    rnd = write("random-16g.pb", graph(const("d", [2], INT32, ints=[65536, 65536]),
                                       node("y", "RandomUniform", ["d"], T=a_type(INT32), dtype=a_type(FLOAT))))
    bcast = write("broadcast-to.pb", graph(const("v", [], floats=[1]), const("d", [3], INT64, ints=[1 << 20, 1 << 20, 1 << 20]),
                                           node("y", "BroadcastTo", ["v", "d"], T=a_type(FLOAT), Tidx=a_type(INT64))))
    rng = write("range.pb", graph(const("a", [], floats=[0]), const("b", [], floats=[1e18]), const("s", [], floats=[1]),
                                  node("y", "Range", ["a", "b", "s"], Tidx=a_type(FLOAT))))
    readfile = write("readfile.pb", graph(node("f", "Const", dtype=a_type(7), value=f_bytes(8, f_int(1, 7) + f_bytes(2, b"") + f_bytes(8, b"/etc/passwd"))),
                                          node("r", "ReadFile", ["f"])))
    # IDX gzip bomb: a header declaring 2·10^9 uint8 values, then 2·10^9 zeros: about 2 MB compressed.
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(os.path.join(d, "bomb.idx.gz"), "wb") as f:
        f.write(bomb.compress(bytes([0, 0, 8, 1]) + struct.pack(">I", 2_000_000_000)))
        zeros = bytes(1 << 24)
        for _ in range(2_000_000_000 // len(zeros)):
            f.write(bomb.compress(zeros))
        f.write(bomb.compress(bytes(2_000_000_000 % len(zeros))) + bomb.flush())
    bytes_model = write("bytes.pb", graph(placeholder("x", [-1], UINT8), unary("y", "Identity", "x", UINT8)))

    cases = [
        ("npy header: shape before '('", ["run", softmax, "--feed", "x=bad.npy", "--fetch", "probs"], {}),
        ("negative DataType in a Const", ["run", negative, "--fetch", "c"], {}),
        ("Const dimension 3e9 (over Int32)", ["run", over_int32, "--fetch", "y"], {}),
        ("Shape (int32) of a 2^33 dimension", ["run", shape_int32, "--fetch", "s"], {}),
        ("NodeDef input 'c:-1'", ["inspect", minus_one], {}),
        ("--fetch probs:-1", ["run", softmax, "--feed", "x=[[1,2,3]]", "--fetch", "probs:-1"], {}),
        ("--feed x:-1=...", ["run", softmax, "--feed", "x:-1=[[1,2,3]]", "--fetch", "probs"], {}),
        ("Conv2D strides Int64.max", ["run", conv, "--feed", f"x=[{ones}]", "--fetch", "y"], {}),
        ("30,000-node Identity chain", ["run", chain, "--fetch", "n29999"], {}),
        ("placeholder [?, 2^32, 2^32, 2] fed a file", ["run", huge_ph, "--feed", "x=small.npy", "--fetch", "y"], {}),
        ("JSON feed [1e300] for int64", ["run", ints, "--feed", "x=[1e300]", "--fetch", "y"], {}),
        ("JSON feed [1,[2,3]] (ragged: number, then array)", ["run", softmax, "--feed", "x=[1,[2,3]]", "--fetch", "probs"], {}),
        ("--top-k=-1", ["run", softmax, "--feed", "x=[[1,2,3]]", "--fetch", "probs", "--top-k=-1"], {}),
        ("Pad by 2e9 (tiny graph)", ["run", pad, "--fetch", "y"], {}),
        # 2·10^9 bytes is under the 4 GiB default: it is read (peak RSS up to the limit), not refused.
        ("IDX gzip bomb (2e9 bytes), default 4 GiB limit", ["run", bytes_model, "--feed", "x=bomb.idx.gz", "--fetch", "y"], {"rss": 4608}),
        ("IDX gzip bomb (2e9 bytes), --max-memory 1G", ["run", bytes_model, "--feed", "x=bomb.idx.gz", "--fetch", "y", "--max-memory", "1G"], {}),
        ("Fill 8 GiB", ["run", fill, "--fetch", "y"], {}),
        ("Fill 8 GiB, --max-memory 512M", ["run", fill, "--fetch", "y", "--max-memory", "512M"], {}),
        ("RandomUniform 16 GiB", ["run", rnd, "--fetch", "y"], {}),
        ("BroadcastTo 2^60 elements", ["run", bcast, "--fetch", "y"], {}),
        ("Range 0..1e18", ["run", rng, "--fetch", "y"], {}),
        ("ReadFile op in the graph", ["run", readfile, "--fetch", "r"], {}),
        ("TENSORGRAPH_THREADS=24", ["run", softmax, "--feed", "x=[[1,2,3]]", "--fetch", "probs"], {"TENSORGRAPH_THREADS": "24"}),
        ("TENSORGRAPH_THREADS=1000", ["run", softmax, "--feed", "x=[[1,2,3]]", "--fetch", "probs"], {"TENSORGRAPH_THREADS": "1000"}),
    ]
    for fixture in ["recursive", "mutually_recursive", "too_deep"]:
        path = os.path.join(ROOT, "Tests/Fixtures/ControlFlow", fixture + ".pb")
        if os.path.exists(path):
            cases.append((f"function library: {fixture}.pb", ["inspect", path], {}))
    try:
        script = ("import sys, tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n"
                  "x = tf.compat.v1.placeholder_with_default(tf.constant(0.0), [], name='x')\n"
                  "tf.identity(tf.while_loop(lambda v: v < 1e30, lambda v: v * 1.0, [x]), name='y')\n"
                  "open(sys.argv[1], 'wb').write(tf.compat.v1.get_default_graph().as_graph_def().SerializeToString())\n")
        subprocess.run([tf_python, "-c", script, os.path.join(d, "while.pb")], check=True, capture_output=True, timeout=300)
        cases.append(("StatelessWhile that never ends, --timeout 2", ["run", "while.pb", "--fetch", "y", "--timeout", "2"], {}))
        # Without --timeout graphrun stops it at its default 1,000,000-iteration cap (--max-loop-iterations).
        cases.append(("StatelessWhile that never ends, no options", ["run", "while.pb", "--fetch", "y"], {}))
    except (OSError, subprocess.SubprocessError):
        print(f"(no TensorFlow at {tf_python}: the while-loop case is skipped)", file=sys.stderr)
    return cases


def run_case(graphrun, d, arguments, env):
    full_env = dict(os.environ, **env)
    # A backstop for the machine (not the limit under test): 12 GiB of address space per case.
    cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (12 << 30, 12 << 30))
    p = subprocess.run(["/usr/bin/time", "-v", graphrun] + arguments, cwd=d, env=full_env, capture_output=True, text=True,
                       errors="replace", timeout=300, preexec_fn=cap)
    stderr = p.stderr
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", stderr)
    signal = re.search(r"Command terminated by signal (\d+)", stderr)
    status = re.search(r"Exit status: (\d+)", stderr)
    own = stderr.split("\tCommand being timed:")[0].strip().splitlines()
    message = next((line for line in own if line.strip()), "(no message)" if p.returncode else (p.stdout.strip().splitlines() or [""])[0])
    code = f"signal {signal.group(1)}" if signal else (status.group(1) if status else str(p.returncode))
    return code, message.strip(), int(rss.group(1)) // 1024 if rss else -1, wall.group(1) if wall else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-build", action="store_true", help="use the existing release graphrun")
    parser.add_argument("--graphrun", default=os.path.join(ROOT, ".build/release/graphrun"))
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "graphrun"], cwd=ROOT, check=True)
    tf_python = os.environ.get("TF_PYTHON", "/tmp/pyenv/bin/python")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="hostile-table-") as d:
        cases = build_inputs(d, tf_python)
        if args.markdown:
            print("| case | exit | first line of stderr | peak RSS (MB) | wall |\n|---|---|---|---|---|")
        for name, arguments, env in cases:
            limit = int(env.pop("rss", 1024))  # MB a case may reach: 1 GiB unless it says otherwise
            code, message, rss, wall = run_case(args.graphrun, d, arguments, env)
            ok = code in ("0", "1", "64") and rss < limit and (code == "0" or message.startswith("graphrun: error:") or message.startswith("Error:"))
            failures += not ok
            if args.markdown:
                print(f"| {name} | {code} | `{message[:150]}` | {rss} | {wall} |" + ("" if ok else " **FAIL**"))
            else:
                print(f"{'ok  ' if ok else 'FAIL'} {name:42} exit {code:>4}  {rss:6} MB  {wall:>8}  {message[:150]}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
