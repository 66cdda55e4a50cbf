# GEM (docs/design.md §4) over TextZoom with SAM ViT-B and TBSRN's transformer recognizer:
#   python tools/extract_glyphs.py configs/glyph/gem_sam_vit_b_textzoom.py --out data/textzoom/glyph_cache_sam
# Weights (not downloadable here): SAM_CHECKPOINT (sam_vit_b_01ec64.pth from
# https://dl.fbaipublicfiles.com/segment_anything/; SAM_MODEL_TYPE if not vit_b) and TBSRN_TRANSFORMER (TBSRN's
# pretrain_transformer.pth).
# Key point 1 comes from the recognizer's 2D attention; key point 2's 1D attention over the width is the same maps
# summed over the height (glyph_recognizer=None); set glyph_recognizer=dict(type='ASTERRecognizer', ...) to take it
# from ASTER's attention decoder instead.
custom_imports = dict(imports=['glyphsr_mm'], allow_failed_imports=False)
textzoom_root = '{{$TEXTZOOM_ROOT:data/textzoom}}'
data_roots = [f'{textzoom_root}/train1', f'{textzoom_root}/train2'] + [
    f'{textzoom_root}/test/{s}' for s in ('easy', 'medium', 'hard')]
sam_checkpoint = '{{$SAM_CHECKPOINT:checkpoints/sam_vit_b_01ec64.pth}}'
tbsrn_checkpoint = '{{$TBSRN_TRANSFORMER:checkpoints/pretrain_transformer.pth}}'
gem = dict(
    mode='sam',
    batch_size=16,
    image_size=(32, 128),
    extractor=dict(
        type='SAMGlyphExtractor',
        sam=dict(model_type='{{$SAM_MODEL_TYPE:vit_b}}', checkpoint=sam_checkpoint),
        recognizer=dict(type='TBSRNTransformerRecognizer', checkpoint=tbsrn_checkpoint),
        glyph_recognizer=None,
        steps=(2, 4),  # K = 2 step sizes: 4K + 1 = 9 anchors per key point
        tau=0.8,
        attention_threshold=0.5,
        open_size=3,
        glyph_threshold=0.5,
        tile=False,  # 4 crops per SAM canvas: see docs/glyph_extraction.md before turning it on
        encoder_batch=4,
        prompt_chunk=None))  # None: 4 on CPU, 128 on CUDA
