"""Time one Adam training step in TensorFlow (eager, tf.function graph, tf.function + XLA) next to the
PyTorch reference (shared/reference/pytorch/step_time.py), on the CPU, same batch and thread count.

Question it answers: is tfjs-node's op-by-op (eager) slowness a property of eager execution, i.e. would
a graph-compiled TF step run as fast as PyTorch?  (Not used by the workbench; a one-off measurement.)

Modes (as step_time.py's):
  frozen  head only on cached embeddings [24, 7, 1024]: LSTM(150, seq) -> LSTM(150) -> Dense(4)
  13      YAMNet blocks 13 and 14 (depthwise-separable, 1024 ch) + head, on block 13's cached input
          [168, 6, 4, 512] NHWC (block 13 has stride 2 -> [168, 3, 2, 1024]); random weights
All sequences have length 7; labels random in 0..3; Adam lr 3e-4; softmax cross-entropy.
Each variant: 10 warm-up steps, then the median of 50 timed steps (seconds).

Setup (outside the repo; TensorFlow from a PyPI mirror, Debian's python3-torch for the reference):
  /usr/bin/python3 -m venv --system-site-packages /tmp/tfvenv
  /tmp/tfvenv/bin/pip install tensorflow-cpu==2.21.0     # (here: --index-url file:///opt/pypi/simple)
  apt-get install python3-torch                           # for the PyTorch side (runs in its own process)
Run:
  /tmp/tfvenv/bin/python bench/profile/tf-graph-step.py --threads 1 [--modes frozen,13] [--no-torch]
Prints one JSON document.
Note: on this 2-core AMD EPYC VM (lscpu shows no cache sizes), TF 2.21's oneDNN 1x1 Conv2D 512->1024 dies
with SIGFPE (a bare tf.nn.conv2d on [168,3,2,512] reproduces it); use --onednn off for mode 13."""
import argparse, json, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '../../../shared'))  # /work/shared beside /work/main


def build(mode):
    import keras
    layers = []
    if mode == '13':
        for stride in (2, 1):   # block 13, block 14: dw 3x3 (+bias, ReLU) -> pw 1x1 1024 (+bias, ReLU)
            layers += [keras.layers.DepthwiseConv2D(3, strides=stride, padding='same', activation='relu'),
                       keras.layers.Conv2D(1024, 1, activation='relu')]
        layers.append(keras.layers.GlobalAveragePooling2D())
    trunk = keras.Sequential(layers)
    head = keras.Sequential([keras.layers.LSTM(150, return_sequences=True), keras.layers.LSTM(150),
                             keras.layers.Dense(4)])
    return trunk, head


def time_variant(mode, variant, x, y, utterances, patches, warmup, steps):
    import tensorflow as tf, keras
    trunk, head = build(mode)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = keras.optimizers.Adam(3e-4)

    def forward(x):
        h = trunk(x, training=True) if mode == '13' else x
        return head(tf.reshape(h, [utterances, patches, 1024]), training=True)

    forward(x)                                             # create the weights eagerly
    params = trunk.trainable_variables + head.trainable_variables
    opt.build(params)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = lossf(y, forward(x))
        opt.apply_gradients(zip(tape.gradient(loss, params), params))
        return loss

    if variant == 'graph':
        step = tf.function(step)
    elif variant == 'xla':
        step = tf.function(step, jit_compile=True)
    try:
        for _ in range(warmup):
            step(x, y).numpy()
        times = []
        for _ in range(steps):
            t0 = time.perf_counter(); step(x, y).numpy(); times.append(time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 -- report, e.g. an XLA compile failure
        return dict(error=f'{type(e).__name__}: {str(e)[:500]}')
    return dict(secondsPerStep=statistics.median(times), min=min(times), max=max(times))


def torch_reference(a):
    cmd = [a.torch_python, os.path.join(SHARED, 'reference/pytorch/step_time.py'),
           os.path.join(SHARED, 'models/yamnet/tfjs-graph-reconstructed'),
           '--modes', a.modes, '--threads', str(a.threads), '--steps', str(a.steps)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return dict(command=' '.join(cmd), error=r.stderr[-800:])
    out = json.loads(r.stdout)
    return dict(command=' '.join(cmd), torch=out['torch'],
                modes={m['mode']: m['secondsPerStep'] for m in out['modes']})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--modes', default='frozen')
    ap.add_argument('--warmup', type=int, default=10); ap.add_argument('--steps', type=int, default=50)
    ap.add_argument('--utterances', type=int, default=24); ap.add_argument('--patches', type=int, default=7)
    ap.add_argument('--variants', default='eager,graph,xla')
    ap.add_argument('--torch-python', default='/usr/bin/python3'); ap.add_argument('--no-torch', action='store_true')
    ap.add_argument('--onednn', choices=['on', 'off'], default='on',
                    help="TF's oneDNN kernels (TF_ENABLE_ONEDNN_OPTS); 'off' needed for mode 13 on this machine")
    a = ap.parse_args()
    os.environ['TF_ENABLE_ONEDNN_OPTS'] = '1' if a.onednn == 'on' else '0'

    import tensorflow as tf                              # threads must be set before any op runs
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    tf.random.set_seed(0)
    n = a.utterances * a.patches
    y = tf.random.uniform([a.utterances], 0, 4, dtype=tf.int32)
    res = dict(tensorflow=tf.__version__, threads=a.threads, onednn=a.onednn, utterances=a.utterances, patchesPerUtterance=a.patches,
               warmup=a.warmup, steps=a.steps, loadavgBefore=os.getloadavg(), tf={})
    for mode in a.modes.split(','):
        x = tf.random.normal([a.utterances, a.patches, 1024] if mode == 'frozen' else [n, 6, 4, 512])
        res['tf'][mode] = {v: time_variant(mode, v, x, y, a.utterances, a.patches, a.warmup, a.steps)
                           for v in a.variants.split(',')}
    if not a.no_torch:
        res['pytorch'] = torch_reference(a)
    res['loadavgAfter'] = os.getloadavg()
    print(json.dumps(res, indent=1))


if __name__ == '__main__':
    main()
