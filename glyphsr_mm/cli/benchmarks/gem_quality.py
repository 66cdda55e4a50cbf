"""Benchmark ``gem_quality``: gEM and the K-means baseline against the synthetic set's exact masks: per-character mean IoU, line IoU."""
from typing import List, Tuple


from glyphsr_mm.utils.markdown import markdown_table
from . import common


def run(args) -> Tuple[str, List[str]]:
    """GEM and the K-means baseline against the synthetic set's exact masks: per-character mean IoU, line IoU."""
    import numpy as np

    from glyphsr_mm.glyph import SAMGlyphExtractor, kmeans_foreground, mask_iou
    from glyphsr_mm.glyph.sam_glyph_extractor import read_positions, summarize
    samples = common.gem_samples(args, args.gem_images)
    rec = dict(type='TBSRNTransformerRecognizer', width=0.125, num_heads=8, feature_pe=True,
               checkpoint=args.tbsrn_checkpoint)
    from glyphsr_mm.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmagic')
    # attention_shift=1: this recognizer's step t attends to character t - 1 (configs/glyph/gem_sam_vit_b_synthetic.py)
    gem = SAMGlyphExtractor(sam=common.gem_sam(args), recognizer=MODELS.build(rec).to(args.device), attention_shift=1)
    out = []
    for b in range(0, len(samples), 8):
        batch = samples[b:b + 8]
        out += gem([s[0] for s in batch], [s[1] for s in batch])
    char_iou, line_iou, km_iou, in_box = [], [], [], [[], []]
    for b in range(0, len(samples), 8):  # key points of the real (trained) attention: inside the right box?
        batch = samples[b:b + 8]
        attn2d, attn1d = gem.attention([s[0] for s in batch], [s[1] for s in batch])
        for (hr, label, _, boxes), a2, a1 in zip(batch, attn2d, attn1d):
            pos = read_positions(label, len(a2) - gem.attention_shift)
            steps = slice(gem.attention_shift, gem.attention_shift + len(pos))
            for k, kp in enumerate(gem.key_points(hr, a2[steps], a1[steps])[:2]):
                in_box[k] += [boxes[i][0] <= x < boxes[i][2] and boxes[i][1] <= y < boxes[i][3]
                              for i, (x, y) in zip(pos, kp.points)]
    for (hr, label, truth, _), g in zip(samples, out):
        for i in read_positions(label, 25):
            char_iou.append(mask_iou(g.chars[i][None], truth[i])[0])
        line_iou.append(mask_iou(g.line[None], truth.any(0))[0])
        km_iou.append(mask_iou(kmeans_foreground(hr)[None], truth.any(0))[0])
    stats = summarize(out)
    weights = args.sam_checkpoint or 'RANDOM weights: these GEM numbers only show that the pipeline runs'
    rows = markdown_table(['method', 'per-character mean IoU', 'line IoU'], [
        ['K-means foreground (Baseline2)', '-', f'{np.mean(km_iou):.3f}'],
        [f'GEM (SAM {args.sam_model})', f'{np.mean(char_iou):.3f}', f'{np.mean(line_iou):.3f}']]) + ['',
            f'{len(samples)} synthetic test images ({len(char_iou)} characters). Selection: '
            f'{stats["rule_iou"]:.0%} by IoU with glyph attention, {stats["rule_score_area"]:.0%} by score/sqrt(area); '
            f'reliable key points: {stats["position_reliable"]:.0%} (2D attention), '
            f'{stats["glyph_reliable"]:.0%} (glyph attention); key points inside the right character box: '
            f'{np.mean(in_box[0]):.0%} (2D attention), {np.mean(in_box[1]):.0%} (glyph attention). SAM: {weights}; recognizer: TBSRN transformer '
            f'w0.125, {args.tbsrn_checkpoint}.']
    return 'gem_quality', rows

