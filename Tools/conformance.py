#!/usr/bin/env python3
"""Image-model conformance suite: Keras models frozen by TensorFlow, run by graphrun.

Usage (TensorFlow 2.21: /tmp/pyenv/bin/python):
  conformance.py generate [--small | --all] [--only NAME,...] OUTDIR
      Builds the models (weights=None, small inputs), gives every BatchNormalization non-trivial
      moving statistics, freezes each with convert_variables_to_constants_v2 (default lowering) and
      writes NAME.pb, NAME.input.npy (a random batch of 2), NAME.output.npy (TensorFlow's logits)
      and OUTDIR/manifest.json (input/output tensor names). --small (the default) builds only the
      tiny models committed under Tests/Fixtures/Conformance; --all also builds the
      tf.keras.applications zoo (about 1.7 GB in all).
  conformance.py check OUTDIR [--graphrun PATH] [--timeout SECONDS]
      Runs graphrun on each model of OUTDIR/manifest.json and prints a markdown table: model, op
      types, nodes, .pb size, max |TF|, max |graphrun - TF|, tolerance 1e-4 * max(1, max|TF|), pass/fail,
      and the graph's op types that graphrun does not register for the failures.

Classifiers are built with classifier_activation=None so the comparison is on logits, where a
difference is not hidden by a softmax.
"""
import argparse, collections, json, os, re, subprocess, sys, tempfile
import numpy as np
from conformance_models import MODELS   # the script's folder is on sys.path

TOLERANCE = 1e-4


def write_malformed_calls(outdir):
    """Copies of tiny_grouped.pb whose function call is broken, for the importer's error tests:
    a call of a function the library lacks, and a call with one input too few."""
    import tensorflow as tf
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(open(os.path.join(outdir, "tiny_grouped.pb"), "rb").read())
    for suffix, edit in (("missing_function", lambda call: call.attr["f"].func.__setattr__("name", "no_such_function")),
                         ("missing_input", lambda call: call.input.pop())):
        broken = tf.compat.v1.GraphDef()
        broken.CopyFrom(graph_def)
        edit(next(n for n in broken.node if n.op.endswith("PartitionedCall")))
        with open(os.path.join(outdir, f"call_{suffix}.pb"), "wb") as f:
            f.write(broken.SerializeToString())


def randomize_batch_norm(model, rng):
    """Gives every BatchNormalization layer non-trivial statistics: a freshly built model has
    mean 0 / variance 1 / gamma 1 / beta 0, which would hide a wrong epsilon or a swapped operand."""
    import tensorflow as tf
    count = 0
    for layer in _all_layers(model):
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            shape = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(0, 0.2, shape).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, shape).astype(np.float32))
            if layer.gamma is not None:
                layer.gamma.assign(rng.uniform(0.5, 1.5, shape).astype(np.float32))
            if layer.beta is not None:
                layer.beta.assign(rng.normal(0, 0.2, shape).astype(np.float32))
            count += 1
    return count


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def generate(outdir, names):
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    os.makedirs(outdir, exist_ok=True)
    manifest_path = os.path.join(outdir, "manifest.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
    for index, name in enumerate(names):
        builder, shape, _ = MODELS[name]
        tf.keras.utils.set_random_seed(1000 + list(MODELS).index(name))
        rng = np.random.default_rng(2000 + list(MODELS).index(name))
        model = builder()
        batch_norms = randomize_batch_norm(model, rng)
        spec = tf.TensorSpec((None,) + shape, tf.float32, name="input")
        concrete = tf.function(lambda t: model(t, training=False)).get_concrete_function(spec)
        frozen = convert_variables_to_constants_v2(concrete)
        graph_def = frozen.graph.as_graph_def()
        x = rng.uniform(-1, 1, (2,) + shape).astype(np.float32)
        expected = model(x, training=False).numpy()
        # The frozen graph itself must reproduce the model (it is what graphrun runs).
        frozen_out = tf.nest.flatten(frozen(tf.constant(x)))[0].numpy()
        drift = float(np.max(np.abs(frozen_out - expected)))
        with open(os.path.join(outdir, f"{name}.pb"), "wb") as f:
            f.write(graph_def.SerializeToString())
        np.save(os.path.join(outdir, f"{name}.input.npy"), x)
        np.save(os.path.join(outdir, f"{name}.output.npy"), expected)
        manifest[name] = {
            "input": frozen.inputs[0].name,
            "output": frozen.outputs[0].name,
            "input_shape": list((2,) + shape),
            "output_shape": list(expected.shape),
            "batch_norms": batch_norms,
        }
        print(f"[{index + 1}/{len(names)}] {name}: {len(graph_def.node)} nodes, {batch_norms} batch norms, "
              f"output {expected.shape}, frozen-vs-model {drift:.2g}", flush=True)
        tf.keras.backend.clear_session()
        # Rewritten after each model, so `check` can start on a partly generated zoo.
        ordered = {n: manifest[n] for n in MODELS if n in manifest}
        with open(manifest_path + ".tmp", "w") as f:
            json.dump(ordered, f, indent=1)
            f.write("\n")
        os.replace(manifest_path + ".tmp", manifest_path)


# ---------------------------------------------------------------------------------------------
# Check
# ---------------------------------------------------------------------------------------------

def graph_op_types(pb_path):
    """The op types of a GraphDef (function library included) without TensorFlow: a tiny protobuf
    walk over GraphDef.node (field 1) / NodeDef.op (field 2) and library (field 2) functions."""
    data = open(pb_path, "rb").read()

    def varint(buf, pos):
        result = shift = 0
        while True:
            byte = buf[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result, pos
            shift += 7

    def fields(buf):
        pos = 0
        while pos < len(buf):
            key, pos = varint(buf, pos)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, pos = varint(buf, pos)
            elif wire == 1:
                value, pos = buf[pos:pos + 8], pos + 8
            elif wire == 5:
                value, pos = buf[pos:pos + 4], pos + 4
            elif wire == 2:
                length, pos = varint(buf, pos)
                value, pos = buf[pos:pos + length], pos + length
            else:
                raise ValueError(f"{pb_path}: unsupported wire type {wire}")
            yield number, wire, value

    counts = collections.Counter()
    for number, wire, value in fields(data):
        if number == 1 and wire == 2:
            for n, w, v in fields(value):
                if n == 2 and w == 2:
                    counts[v.decode()] += 1
    return counts


def registered_ops(graphrun):
    """Op types graphrun can run, from the Swift registry's wire names (empty if unknown)."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "TensorGraph")
    names = set()
    for folder, _, files in os.walk(root):
        for file in files:
            if file.endswith(".swift"):
                text = open(os.path.join(folder, file)).read()
                names.update(re.findall(r'static let wireName\s*=\s*"([A-Za-z0-9_]+)"', text))
    return names


def _reason(message):
    """The line of graphrun's output that says what went wrong (a crash's backtrace ends elsewhere)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if "Fatal error" in line or "error:" in line or "crashed" in line:
            return line
    return lines[-1] if lines else "failed"


def check(outdir, graphrun, timeout):
    manifest = json.load(open(os.path.join(outdir, "manifest.json")))
    known = registered_ops(graphrun)
    rows, failures = [], []
    print("| model | op types | nodes | .pb size | max abs TF | max abs diff | tolerance | result |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, entry in manifest.items():
        pb = os.path.join(outdir, f"{name}.pb")
        expected = np.load(os.path.join(outdir, f"{name}.output.npy"))
        ops = graph_op_types(pb)
        tolerance = TOLERANCE * max(1.0, float(np.max(np.abs(expected))))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.npy")
            command = [graphrun, "run", pb, "--feed", f"{entry['input']}={os.path.join(outdir, name + '.input.npy')}",
                       "--fetch", entry["output"], "--output", out, "--timeout", str(timeout)]
            try:
                proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 30)
                message = proc.stderr.strip() or proc.stdout.strip()
                actual = np.load(out) if proc.returncode == 0 and os.path.exists(out) else None
            except subprocess.TimeoutExpired:
                actual, message = None, f"timed out after {timeout + 30} s"
        if actual is not None and actual.shape == expected.shape:
            diff = float(np.max(np.abs(actual.astype(np.float64) - expected)))
            ok = diff <= tolerance
            diff_text = f"{diff:.3g}"
            if not ok:
                failures.append((name, f"max abs diff {diff:.3g} > {tolerance:.3g}", []))
        else:
            ok, diff_text = False, "—"
            if actual is not None:
                message = f"shape {actual.shape}, expected {expected.shape}"
            unsupported = sorted(op for op in ops if known and op not in known)
            failures.append((name, _reason(message), unsupported))
        size = os.path.getsize(pb)
        size_text = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"
        print(f"| {name} | {len(ops)} | {sum(ops.values())} | {size_text} | {float(np.max(np.abs(expected))):.3g} | {diff_text} | {tolerance:.3g} | "
              f"{'pass' if ok else 'FAIL'} |", flush=True)
        rows.append(ok)
    print(f"\n{sum(rows)}/{len(rows)} pass")
    for name, why, unsupported in failures:
        extra = f"; unsupported ops: {', '.join(unsupported)}" if unsupported else ""
        print(f"- {name}: {why}{extra}")
    return all(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="build, freeze and write the models")
    size = gen.add_mutually_exclusive_group()
    size.add_argument("--small", action="store_true", help="only the tiny committed models (default)")
    size.add_argument("--all", action="store_true", help="the tiny models and the Keras application zoo")
    gen.add_argument("--only", help="comma-separated model names")
    gen.add_argument("outdir")
    chk = sub.add_parser("check", help="run graphrun on every generated model")
    chk.add_argument("outdir")
    chk.add_argument("--graphrun", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                        ".build", "release", "graphrun"))
    chk.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    if args.command == "generate":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if args.only:
            names = args.only.split(",")
            unknown = [n for n in names if n not in MODELS]
            if unknown:
                parser.error(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(MODELS)}")
        else:
            names = [n for n, (_, _, small) in MODELS.items() if args.all or small]
        generate(args.outdir, names)
        if "tiny_grouped" in names:
            write_malformed_calls(args.outdir)
    else:
        sys.exit(0 if check(args.outdir, args.graphrun, args.timeout) else 1)


if __name__ == "__main__":
    main()
