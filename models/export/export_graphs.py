#!/usr/bin/python3
"""Export real-architecture audio encoders with random (seeded) weights to ONNX.

    /usr/bin/python3 models/export/export_graphs.py            # full size -> models/export/*.onnx (npm run export-models)
    /usr/bin/python3 models/export/export_graphs.py --small    # tiny variants -> test/fixtures/onnx/ (committed)

Needs Debian's python3-torch 1.13 and python3-torchaudio 0.13 (nothing is downloaded).
Weights are random (torch.manual_seed per graph, so a re-export gives the same
graph): these graphs exercise earshot's model families end to end with the real
input contracts, layouts and costs; their embeddings mean nothing.

Graphs (manifests written next to them; full-size manifests go to models/*.json):
  wav2vec2-base-random        torchaudio.models.wav2vec2_base()  [B,N] -> [B,T,768]
  hubert-base-random          torchaudio.models.hubert_base()    [B,N] -> [B,T,768]
  ast-base-random             AST ViT over a [1024,128] Kaldi fbank: 16x16 patches, stride 10, depth 12, width 768
  whisper-base-encoder-random Whisper base's encoder: [B,80,3000] -> [B,1500,512]
  wavjepa-nat-like-random     2-channel conv feature encoder + transformer: [B,2,32160] -> [B,100,768]
torchaudio 0.13 has no WavLM (torchaudio.models.wavlm_base arrived in 0.14), so none is exported.

--small also writes, for the tests: references.json + <name>.ref.f32 (the torch output for
speech/digits/en/3.wav fed exactly as the manifest says, frames inside the clip
only) and the Hugging Face / Transformers.js layout folder hf-wav2vec2-tiny/.
"""
import argparse, json, os, shutil, sys, time, warnings, wave

# Debian's packages are the supported tool chain: without them, say which to install (one line, no traceback).
try:
    import numpy as np
    import torch
    import torchaudio
    import torchaudio.compliance.kaldi as kaldi
except ImportError as err:
    sys.exit(f'export-models: the Python module {err.name or "torch"} is missing; install Debian\'s packages: sudo apt-get install python3-torch python3-torchaudio python3-numpy')

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from architectures import WAV2VEC2_CONV, FbankViT, LastHiddenState, MultichannelWaveformEncoder, WhisperEncoder  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
RANDOM_LICENSE = 'Apache-2.0 (random weights)'
AST_MEAN, AST_STD = -4.2677393, 4.5689974


def tiny_wav2vec2():
    return torchaudio.models.wav2vec2_model(
        extractor_mode='group_norm', extractor_conv_layer_config=[(16, k, s) for k, s in WAV2VEC2_CONV],
        extractor_conv_bias=False, encoder_embed_dim=32, encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=16, encoder_pos_conv_groups=4, encoder_num_layers=2, encoder_num_heads=2,
        encoder_attention_dropout=0.0, encoder_ff_interm_features=64, encoder_ff_interm_dropout=0.0,
        encoder_dropout=0.0, encoder_layer_norm_first=False, encoder_layer_drop=0.0, aux_num_out=None)


def waveform_manifest(name, desc, dim, window_s, normalize, file, channels=1):
    return {
        'id': name, 'description': desc, 'license': RANDOM_LICENSE, 'files': {'model': file},
        'sampleRateHz': 16000, 'channels': channels, 'windowS': window_s, 'hopS': 0.02, 'frameOffsetS': 0.0125,
        'frontEnd': {'kind': 'waveform', 'normalize': normalize},
        'input': {'name': 'input_values', 'layout': 'B,N' if channels == 1 else 'B,C,N'},
        'output': {'name': 'last_hidden_state', 'layout': 'B,T,D'}, 'embeddingSize': dim}


def ast_manifest(name, desc, dim, frames, file, pooled):
    out = {'name': 'pooler_output', 'layout': 'B,D'} if pooled else {'name': 'frames', 'layout': 'B,T,D'}
    return {
        'id': name, 'description': desc, 'license': RANDOM_LICENSE, 'files': {'model': file},
        'sampleRateHz': 16000, 'channels': 1, 'windowS': round(frames * 0.01, 6),
        'hopS': round(frames * 0.01, 6) if pooled else 0.1, 'frameOffsetS': 0.0875,
        'frontEnd': {'kind': 'kaldi-fbank', 'numMelBins': 128, 'frameLengthMs': 25, 'frameShiftMs': 10,
                     'targetFrames': frames, 'mean': AST_MEAN, 'std': AST_STD, 'windowType': 'hanning'},
        'input': {'name': 'input_values', 'layout': 'B,T,F'}, 'output': out, 'embeddingSize': dim}


def whisper_manifest(name, desc, dim, file):
    return {
        'id': name, 'description': desc, 'license': RANDOM_LICENSE, 'files': {'model': file},
        'sampleRateHz': 16000, 'channels': 1, 'windowS': 30, 'hopS': 0.02, 'frameOffsetS': 0,
        'frontEnd': {'kind': 'whisper-logmel', 'numMelBins': 80, 'chunkS': 30},
        'input': {'name': 'input_features', 'layout': 'B,F,T'},
        'output': {'name': 'last_hidden_state', 'layout': 'B,T,D'}, 'embeddingSize': dim}


# name -> (seed, builder(small), example input shape (or a function of small), input name, output names, dynamic axes, manifest(small, file))
GRAPHS = {
    'wav2vec2': (1, lambda small: LastHiddenState(tiny_wav2vec2() if small else torchaudio.models.wav2vec2_base()),
                 (1, 16000), 'input_values', ['last_hidden_state'], {0: 'batch', 1: 'samples'},
                 lambda small, f: waveform_manifest(
                     'wav2vec2-tiny-random' if small else 'wav2vec2-base-random',
                     'wav2vec 2.0 ' + ('(tiny: conv 16 ch, 2 layers of width 32)' if small else 'base (torchaudio wav2vec2_base)') + ', random weights',
                     32 if small else 768, 1.0 if small else 10.0, 'zero-mean-unit-var' if small else 'none', f)),
    'hubert': (2, lambda small: LastHiddenState(torchaudio.models.hubert_base()),
               (1, 16000), 'input_values', ['last_hidden_state'], {0: 'batch', 1: 'samples'},
               lambda small, f: waveform_manifest('hubert-base-random', 'HuBERT base (torchaudio hubert_base), random weights', 768, 10.0, 'none', f)),
    'ast': (3, lambda small: FbankViT(frames=128, dim=32, depth=2, heads=2) if small else FbankViT(),
            lambda small: (1, 128 if small else 1024, 128), 'input_values', ['last_hidden_state', 'pooler_output', 'frames'], {0: 'batch'},
            lambda small, f: ast_manifest(
                'ast-tiny-random' if small else 'ast-base-random',
                'AST ' + ('(tiny: 128 frames, 2 layers of width 32)' if small else 'base (1024 frames, 12 layers of width 768)') + ', random weights',
                32 if small else 768, 128 if small else 1024, f, pooled=not small)),
    'whisper': (4, lambda small: WhisperEncoder(dim=32, heads=2, layers=2) if small else WhisperEncoder(),
                (1, 80, 3000), 'input_features', ['last_hidden_state'], {0: 'batch'},
                lambda small, f: whisper_manifest(
                    'whisper-encoder-tiny-random' if small else 'whisper-base-encoder-random',
                    'Whisper encoder ' + ('(tiny: 2 layers of width 32)' if small else 'base (6 layers of width 512)') + ', random weights',
                    32 if small else 512, f)),
    'wavjepa': (5, lambda small: MultichannelWaveformEncoder(conv_dim=16, dim=32, depth=2, heads=2) if small else MultichannelWaveformEncoder(),
                (1, 2, 32160), 'input_values', ['last_hidden_state'], {0: 'batch'},
                lambda small, f: waveform_manifest(
                    'wavjepa-nat-like-tiny-random' if small else 'wavjepa-nat-like-random',
                    'WavJEPA-Nat-like 2-channel waveform encoder ' + ('(tiny: conv 16 ch, 2 layers of width 32)' if small else '(conv 512 ch, 12 layers of width 768)') + ', random weights',
                    32 if small else 768, 2.01, 'zero-mean-unit-var', f, channels=2)),
}
SMALL = ['wav2vec2', 'ast', 'whisper', 'wavjepa']


def export(model, shape, input_name, output_names, dyn, path):
    model.eval()
    example = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    axes = {input_name: dyn, **{o: {0: 'batch'} for o in output_names}}
    if 1 in dyn:
        axes[output_names[0]] = {0: 'batch', 1: 'frames'}
    with torch.no_grad():
        torch.onnx.export(model, (example,), path, opset_version=17, input_names=[input_name],
                          output_names=output_names, dynamic_axes=axes, do_constant_folding=True)


def read_digit(d=3):
    with wave.open(os.path.join(ROOT, 'speech', 'digits', 'en', f'{d}.wav')) as w:
        return (np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.float32) / 32768.0).astype(np.float32)


def hf_normalize(x):
    """transformers' zero_mean_unit_var_norm."""
    return ((x - x.mean()) / np.sqrt(x.var() + 1e-7)).astype(np.float32)


def whisper_log_mel(x):
    sys.path.insert(0, os.path.join(ROOT, 'test', 'fixtures', 'frontends'))
    from make_fixtures import whisper_log_mel as wlm  # noqa: E402 (the fixtures script only writes under __main__)
    return wlm(x, 80)


def reference(key, model, manifest):
    """The model's output for digit 3 fed as the manifest says, frames whose centre lies in the clip."""
    x = read_digit(3)
    with torch.no_grad():
        if key == 'wav2vec2':
            out = model(torch.from_numpy(hf_normalize(x))[None])
        elif key == 'ast':
            fb = kaldi.fbank(torch.from_numpy(x)[None], sample_frequency=16000, window_type='hanning', num_mel_bins=128)
            fb = torch.nn.functional.pad(fb, (0, 0, 0, 128 - fb.shape[0]))
            out = model(((fb - AST_MEAN) / (2 * AST_STD))[None])[2]
        elif key == 'whisper':
            out = model(torch.from_numpy(whisper_log_mel(x))[None])
        else:
            chans = np.stack([hf_normalize(x), hf_normalize(x[::-1].copy() * 0.5)])
            out = model(torch.from_numpy(np.pad(chans, ((0, 0), (0, 32160 - len(x)))))[None])
    out = out[0].numpy()
    centres = manifest['frameOffsetS'] + manifest['hopS'] * np.arange(out.shape[0])
    return out[centres < len(x) / 16000]


def hf_folder(model, out_dir):
    """A Transformers.js-layout folder for the tiny wav2vec2: config.json, preprocessor_config.json, onnx/model.onnx."""
    d = os.path.join(out_dir, 'hf-wav2vec2-tiny')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, 'onnx'))
    export(model, (1, 16000), 'input_values', ['last_hidden_state'], {0: 'batch', 1: 'samples'}, os.path.join(d, 'onnx', 'model.onnx'))
    config = {'model_type': 'wav2vec2', 'architectures': ['Wav2Vec2Model'], 'hidden_size': 32, 'num_hidden_layers': 2,
              'num_attention_heads': 2, 'intermediate_size': 64, 'feat_extract_norm': 'group', 'conv_bias': False,
              'conv_dim': [16] * 7, 'conv_kernel': [k for k, _ in WAV2VEC2_CONV], 'conv_stride': [s for _, s in WAV2VEC2_CONV],
              'num_conv_pos_embeddings': 16, 'num_conv_pos_embedding_groups': 4}
    pre = {'do_normalize': True, 'feature_extractor_type': 'Wav2Vec2FeatureExtractor', 'feature_size': 1,
           'padding_side': 'right', 'padding_value': 0.0, 'return_attention_mask': False, 'sampling_rate': 16000}
    for name, obj in (('config.json', config), ('preprocessor_config.json', pre)):
        with open(os.path.join(d, name), 'w') as f:
            json.dump(obj, f, indent=2)
            f.write('\n')


def main():
    warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)  # shape arithmetic traced as constants: intended (fixed F, T)
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--small', action='store_true', help='tiny variants for the tests (test/fixtures/onnx/)')
    ap.add_argument('--only', nargs='*', choices=sorted(GRAPHS), help='export only these')
    args = ap.parse_args()
    out_dir = os.path.join(ROOT, 'test', 'fixtures', 'onnx', 'families') if args.small else os.path.join(ROOT, 'models', 'export')
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    refs = {}
    for key in args.only or (SMALL if args.small else list(GRAPHS)):
        if args.small and key not in SMALL:
            continue
        seed, build, shape, input_name, outputs, dyn, manifest_of = GRAPHS[key]
        torch.manual_seed(seed)
        model = build(args.small).eval()
        name = manifest_of(args.small, '')['id']
        path = os.path.join(out_dir, name + '.onnx')
        t0 = time.perf_counter()
        export(model, shape(args.small) if callable(shape) else shape, input_name, outputs, dyn, path)
        took = time.perf_counter() - t0
        manifest = manifest_of(args.small, name + '.onnx' if args.small else 'export/' + name + '.onnx')
        if not args.small:
            manifest['install'] = 'npm run export-models'  # what `earshot models` tells a user whose file is missing
        manifest_path = os.path.join(out_dir if args.small else os.path.join(ROOT, 'models'), name + '.json')
        with open(manifest_path, 'w') as f:
            json.dump(manifest, f, indent=2)
            f.write('\n')
        params = sum(p.numel() for p in model.parameters())
        print(f'{name}: {params / 1e6:.2f} M parameters, {os.path.getsize(path) / 1e6:.2f} MB, exported in {took:.1f} s -> {os.path.relpath(path, ROOT)}', flush=True)
        if args.small:
            ref = reference(key, model, manifest)
            ref.astype('<f4').tofile(os.path.join(out_dir, name + '.ref.f32'))
            refs[name] = {'file': name + '.ref.f32', 'shape': list(ref.shape), 'input': 'speech/digits/en/3.wav'
                          + (' (channel 1: the clip reversed, times 0.5)' if key == 'wavjepa' else '')}
            if key == 'wav2vec2':
                hf_folder(model, os.path.dirname(out_dir))
    if args.small and not args.only:
        with open(os.path.join(out_dir, 'references.json'), 'w') as f:
            json.dump(refs, f, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
