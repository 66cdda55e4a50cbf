"""The command line of ``tools/train.py`` and ``tools/train_recognizer.py`` (MMagic's train script, shared)."""
import argparse
import os
import os.path as osp
from typing import Optional, Sequence


def parse_train_args(description: str, argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument('config', help='train config file path')
    p.add_argument('--work-dir', help='the dir to save logs and models (default: work_dirs/<config name>)')
    p.add_argument('--resume', action='store_true', help='resume from the latest checkpoint in the work dir')
    p.add_argument('--amp', action='store_true', help='enable automatic mixed precision training')
    return parse_with_runner_options(p, argv, 'train_cfg.max_iters=100')


def parse_with_runner_options(p: argparse.ArgumentParser, argv: Optional[Sequence[str]],
                              example: str) -> argparse.Namespace:
    """Add the options every runner tool shares (``--cfg-options``, ``--launcher``, ``--local-rank``), parse."""
    from mmengine.config import DictAction
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help=f'override settings in the config, key=value (e.g. {example})')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none', help='job launcher')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def build_config(args: argparse.Namespace):
    """Load ``args.config`` and apply the command-line options (work dir, resume, AMP, launcher; the test command
    line has no resume/AMP)."""
    from mmengine.config import Config
    if not osp.isfile(args.config):
        raise SystemExit(f'config not found: {args.config}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    from .config_checks import ConfigError, check_config
    try:
        check_config(cfg)
    except ConfigError as e:
        raise SystemExit(f'{args.config}: {e}') from None
    if cfg.launcher == 'pytorch':
        setup_cpu_distributed(cfg)
    if getattr(args, 'amp', False):
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if getattr(args, 'resume', False):
        cfg.resume = True
        cfg.load_from = None
    return cfg


def setup_cpu_distributed(cfg) -> None:
    """``--launcher pytorch`` without CUDA: gloo, and DDP without device ids.

    MMEngine 0.10's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally and its default DDP wrapper
    passes ``device_ids=[LOCAL_RANK]``; both fail on CPU. The process group is therefore initialised here (the
    runner then skips its own) and the wrapper config gets ``device_ids=None``. On GPUs nothing changes (NCCL).
    """
    import torch
    if torch.cuda.is_available():
        return
    import torch.distributed as dist
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = dict(type='MMDistributedDataParallel', broadcast_buffers=False,
                   find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.update(cfg.get('model_wrapper_cfg') or {})
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    if not dist.is_initialized():
        dist.init_process_group('gloo')


def run_training(description: str, argv: Optional[Sequence[str]] = None):
    """Parse the command line, build MMEngine's runner from the config and train. Returns the runner."""
    args = parse_train_args(description, argv)
    cfg = build_config(args)
    from glyphsr_mm.glyph.mask_sources import GlyphMasksMissing, check_training_masks
    try:
        check_training_masks(cfg)  # before the runner: a missing GEM cache fails in seconds, not at sample one
    except GlyphMasksMissing as e:
        raise SystemExit(f'{args.config}: {e}') from None
    from mmengine.runner import Runner

    from glyphsr_mm.utils.distributed import finish_distributed
    runner = Runner.from_cfg(cfg)
    runner.train()
    finish_distributed()
    return runner
