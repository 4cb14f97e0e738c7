"""COBA in BrainPy 2.x (JAX on the CPU), run in bench/.venv-brainpy.

The network is BrainPy's own published COBA formulation (LifRef neurons,
exponential conductances, event-driven CSR projections), with forward Euler
and the shared parameters. Usage::

    python -m bench.workloads.brainpy_coba --n 4000 [--float32]
"""

from __future__ import annotations

import argparse
import time

from bench.workloads import coba_params as P


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=P.N_DEFAULT)
    parser.add_argument("--float32", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t_start = time.perf_counter()
    import brainpy as bp
    import brainpy.math as bm
    import jax
    import numpy as np

    if not args.float32:
        bm.enable_x64()
    bm.set_platform("cpu")
    bm.set_dt(P.DT)
    bm.random.seed(args.seed)
    n_exc, n_inh, prob = P.sizes(args.n)

    def lif(size):
        return bp.dyn.LifRef(
            size, V_rest=P.E_L, V_th=P.V_T, V_reset=P.V_R, tau=P.TAU_M, tau_ref=P.T_REF,
            V_initializer=bp.init.Normal(P.V0_MEAN, P.V0_STD), method="euler",
        )  # fmt: skip

    def projection(pre, post, weight, tau, reversal, seed):
        return bp.dyn.ProjAlignPostMg2(
            pre=pre,
            delay=None,
            comm=bp.dnn.EventCSRLinear(bp.conn.FixedProb(prob, pre=pre.num, post=post.num, seed=seed), weight),
            syn=bp.dyn.Expon.desc(post.num, tau=tau, method="euler"),
            out=bp.dyn.COBA.desc(E=reversal),
            post=post,
        )

    class COBA(bp.DynSysGroup):
        # BrainPy's published formulation: separate E and I groups, four projections.
        def __init__(self):
            super().__init__()
            self.E = lif(n_exc)
            self.I = lif(n_inh)
            self.E2E = projection(self.E, self.E, P.W_E, P.TAU_E, P.E_E, args.seed + 1)
            self.E2I = projection(self.E, self.I, P.W_E, P.TAU_E, P.E_E, args.seed + 2)
            self.I2E = projection(self.I, self.E, P.W_I, P.TAU_I, P.E_I, args.seed + 3)
            self.I2I = projection(self.I, self.I, P.W_I, P.TAU_I, P.E_I, args.seed + 4)

        def update(self, inp):
            self.E2E()
            self.E2I()
            self.I2E()
            self.I2I()
            self.E(inp)
            self.I(inp)
            return self.E.spike.value.sum() + self.I.spike.value.sum()

    net = COBA()
    n_steps = int(P.DURATION / P.DT)
    indices = np.arange(n_steps)

    def run():
        bp.reset_state(net)  # also redraws v0 from the initialiser
        spikes = bm.for_loop(lambda i: net.step_run(i, P.I_EXT), indices)
        return jax.block_until_ready(spikes.value if hasattr(spikes, "value") else spikes)

    setup_s = time.perf_counter() - t_start
    t0 = time.perf_counter()
    spikes = run()  # tracing + XLA compilation + the first run
    first_run_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    spikes = run()
    run_s = time.perf_counter() - t0
    count = int(np.asarray(spikes).sum())
    peer = "brainpy" + (" float32" if args.float32 else "")
    P.print_record(
        peer, bp.__version__, args.n, count, setup_s=setup_s, build_s=None, first_run_s=first_run_s, run_s=run_s
    )


if __name__ == "__main__":
    main()
