"""COBA in Brian2 (runtime/Cython or cpp_standalone), run in bench/.venv-brian2.

Usage (one measurement, one JSON object on the last stdout line)::

    python -m bench.workloads.brian2_coba --device cpp_standalone --n 4000 --workdir /tmp/b2
"""

from __future__ import annotations

import argparse
import os
import time

from bench.workloads import coba_params as P


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], required=True)
    parser.add_argument("--n", type=int, default=P.N_DEFAULT)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    t_start = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV

    if args.device == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=os.path.join(args.workdir, f"coba_{args.n}"), build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0  # single-threaded, like the other peers
    else:
        b2.prefs.codegen.target = "cython"
        b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(args.workdir, "cython_cache")
    b2.defaultclock.dt = P.DT * ms
    b2.seed(args.seed)
    n_exc, _, prob = P.sizes(args.n)
    namespace = {
        "taum": P.TAU_M * ms, "taue": P.TAU_E * ms, "taui": P.TAU_I * ms, "Vt": P.V_T * mV, "Vr": P.V_R * mV,
        "El": P.E_L * mV, "Ee": P.E_E * mV, "Ei": P.E_I * mV, "I_ext": P.I_EXT * mV,
    }  # fmt: skip
    eqs = """
    dv/dt = (ge*(Ee-v) + gi*(Ei-v) + (El-v) + I_ext)/taum : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    """
    group = b2.NeuronGroup(
        args.n, eqs, threshold="v>Vt", reset="v = Vr", refractory=P.T_REF * ms, method="euler", namespace=namespace
    )
    group.v = (b2.randn(args.n) * P.V0_STD + P.V0_MEAN) * mV
    exc = b2.Synapses(group[:n_exc], group, on_pre=f"ge += {P.W_E}")
    exc.connect(p=prob)
    inh = b2.Synapses(group[n_exc:], group, on_pre=f"gi += {P.W_I}")
    inh.connect(p=prob)
    spikes = b2.SpikeMonitor(group)
    net = b2.Network(group, exc, inh, spikes)
    setup_s = time.perf_counter() - t_start

    duration = P.DURATION * ms
    if args.device == "cpp_standalone":
        net.run(duration)
        t0 = time.perf_counter()
        b2.device.build(directory=None, compile=True, run=False)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        b2.device.run()
        first_run_s = time.perf_counter() - t0
        run_s = float(b2.device._last_run_time)  # the C++ main loop, measured by Brian2 itself
        count = int(spikes.num_spikes)
    else:
        net.store()
        t0 = time.perf_counter()
        net.run(0 * ms)  # code generation and Cython compilation happen here
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        net.run(duration)
        first_run_s = time.perf_counter() - t0
        count = int(spikes.num_spikes)
        net.restore()  # same initial state, code already compiled: the steady-state run
        t0 = time.perf_counter()
        net.run(duration)
        run_s = time.perf_counter() - t0
    peer = f"brian2 {args.device}"
    P.print_record(
        peer, b2.__version__, args.n, count, setup_s=setup_s, build_s=build_s, first_run_s=first_run_s, run_s=run_s
    )


if __name__ == "__main__":
    main()
