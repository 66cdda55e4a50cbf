# GlyphSR on TextZoom (the paper's setup), batch 48, 200 epochs. Data root: TEXTZOOM_ROOT (train1, train2,
# test/{easy,medium,hard}). Glyph pseudo masks come from GEM: the cache that tools/extract_glyphs.py writes, found at
# GLYPH_CACHE (default data/textzoom/glyph_cache_sam). Real TextZoom has no glyph keys; the recipe is
#   python tools/extract_glyphs.py configs/glyph/gem_sam_vit_b_textzoom.py --out $GLYPH_CACHE
#   python tools/train.py configs/glyphsr_textzoom.py
# tools/train.py checks before training that the cache holds every training sample, and names the command if not.
# GLYPH_MODE (default sam) is the kind of masks the cache must hold: a cache of Baseline2's K-means line masks (made
# without SAM weights) trains with GLYPH_MODE=kmeans; a cache of another kind is refused, naming both.
_base_ = ['./_base_/models/glyphsr.py', './_base_/datasets/textzoom.py', './_base_/schedules/adam_200e.py',
          './_base_/default_runtime.py', './_base_/evaluation/textzoom_recognizers.py']
glyph_cache = '{{$GLYPH_CACHE:data/textzoom/glyph_cache_sam}}'
glyph_mode = '{{$GLYPH_MODE:sam}}'
train_pipeline = [
    dict(type='LoadTextZoomImages', lr_size=(16, 64), hr_size=(32, 128)),
    dict(type='AddTextMaskChannel'),
    dict(type='GlyphExtraction', mode=glyph_mode, cache=glyph_cache, num_maps=16, required=True),
    dict(type='TextRandomAffine', prob=0.5),
    dict(type='PackInputs', keys='img', meta_keys=['gt_text', 'subset', 'index', 'lmdb_path'],
         data_keys=['gt_char_masks', 'gt_line_mask']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
