"""Run the Glyph Extraction Module over TextZoom-format LMDBs and write a glyph-mask cache.

    python tools/extract_glyphs.py configs/glyph/gem_sam_vit_b_textzoom.py --out data/textzoom/glyph_cache_sam
    torchrun --nproc_per_node=N tools/extract_glyphs.py CONFIG --out CACHE --launcher pytorch
    python tools/extract_glyphs.py CONFIG --out CACHE --verify          # check a finished cache

Modes (``--mode`` or ``gem.mode`` in the config): ``sam`` (the paper's GEM; needs SAM and recognizer weights),
``kmeans`` (Baseline2's line mask), ``render`` (the synthetic set's exact masks). Rerunning after a kill skips the
finished samples; training configs read the cache with the ``GlyphExtraction`` transform.
"""
import argparse
import os
import sys

from glyphsr_mm.glyph.extraction import MODES


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='GEM config (configs/glyph/): data_roots and gem = dict(mode, extractor, ...)')
    p.add_argument('--out', required=True, help='cache LMDB folder (created; a rerun resumes it)')
    p.add_argument('--mode', choices=MODES, help='override gem.mode')
    p.add_argument('--batch-size', type=int, help='images per GEM batch (default gem.batch_size)')
    p.add_argument('--chunk', type=int, default=256, help='records per committed transaction')
    p.add_argument('--device', default=None, help='cpu or cuda (default: cuda when available)')
    p.add_argument('--verify', action='store_true', help='after extracting (or alone), check every record')
    p.add_argument('--no-extract', action='store_true', help='with --verify: only check')
    p.add_argument('--launcher', choices=('none', 'pytorch'), default='none')
    from mmengine.config import DictAction
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                   help='override config entries, e.g. data_roots="[a,b]" gem.extractor.tile=True')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import glyphsr_mm  # noqa: F401  (registers components)
    from glyphsr_mm.glyph.extraction import extract, list_samples, make_extract_fn, merge_shards, verify
    from glyphsr_mm.registry import MODELS

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    gem = dict(cfg.get('gem', {}))
    mode = args.mode or gem.get('mode', 'sam')
    roots = list(cfg.get('data_roots') or [])
    if not roots:
        raise SystemExit(f'{args.config}: set data_roots = [...] (TextZoom-format LMDB folders)')
    rank, world = 0, 1
    if args.launcher == 'pytorch':
        import torch.distributed as dist
        dist.init_process_group('nccl' if torch.cuda.is_available() else 'gloo')
        rank, world = dist.get_rank(), dist.get_world_size()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if device == 'cuda' and world > 1:
        torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
    image_size = tuple(gem.get('image_size', (32, 128)))
    samples = list_samples(roots)
    settings = {k: v for k, v in gem.items() if k not in ('mode', 'batch_size')}
    meta = dict(mode=mode, image_size=list(image_size),
                settings=repr(settings) if mode == 'sam' else '')
    if not args.no_extract:
        extractor = None
        if mode == 'sam':
            if 'extractor' not in gem:
                raise SystemExit(f'{args.config}: mode sam needs gem = dict(extractor=dict(type=...))')
            init_default_scope('mmagic')
            extractor = MODELS.build(gem['extractor']).to(device)
        fn = make_extract_fn(mode, extractor)
        counts = extract(samples, args.out, fn, meta, batch_size=args.batch_size or gem.get('batch_size', 16),
                         chunk=args.chunk, rank=rank, world=world, image_size=image_size)
        print(f'rank {rank}: {counts["written"]} written, {counts["skipped"]} already cached, '
              f'{counts["total"]} in this slice', flush=True)
        if world > 1:
            import torch.distributed as dist
            dist.barrier()
            if rank == 0:
                print(f'merged {merge_shards(args.out, world, meta)} records into {args.out}', flush=True)
            dist.barrier()
    code = 0
    if args.verify and rank == 0:
        res = verify(args.out, samples, mode, image_size)
        print(f'verify {args.out}: {res["ok"]} / {res["samples"]} samples ok', flush=True)
        for p in res['problems']:
            print('  ' + p)
        code = 0 if res['num_problems'] == 0 else 1
    from glyphsr_mm.utils.distributed import finish_distributed
    finish_distributed()  # after rank 0's verification: every rank waits, then the group goes
    return code


if __name__ == '__main__':
    sys.exit(main())
