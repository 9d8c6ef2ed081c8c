"""The log-mel front end in float64 PyTorch, the reference for Tessera's MelSpectrogram.

torch.stft (centred, reflect-padded, periodic Hann window of win_length centred in n_fft),
and the mel filterbank written out as torchaudio's melscale_fbanks(norm="slaney",
mel_scale="htk") computes it (Debian's python3 has torch but not torchaudio).

tensors: "samples" (S,); meta: sample_rate, n_fft, win_length, hop_length, n_mels, f_min,
f_max. Returns "magnitude" (frames, n_freqs), "filterbank" (n_mels, n_freqs) and
"log_mel" (frames, n_mels) = ln(max(filterbank @ magnitude^2, 1e-5)).
"""
import math

import torch


def hz_to_mel(hz):
    return 2595.0 * math.log10(1.0 + hz / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def filterbank(n_freqs, f_min, f_max, n_mels, sample_rate):
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs, dtype=torch.float64)
    m_pts = torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, dtype=torch.float64)
    f_pts = 700.0 * (10.0 ** (m_pts / 2595.0) - 1.0)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)  # (n_freqs, n_mels + 2)
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = torch.clamp(torch.minimum(down, up), min=0.0)
    fb = fb * (2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels])).unsqueeze(0)  # Slaney: unit area
    return fb.T  # (n_mels, n_freqs)


def run(tensors, meta):
    x = tensors["samples"].double()
    sr, n_fft, win = int(meta["sample_rate"]), int(meta["n_fft"]), int(meta["win_length"])
    hop, n_mels = int(meta["hop_length"]), int(meta["n_mels"])
    f_min, f_max = float(meta["f_min"]), float(meta["f_max"])
    window = torch.hann_window(win, periodic=True, dtype=torch.float64)
    spec = torch.stft(x, n_fft, hop_length=hop, win_length=win, window=window, center=True, pad_mode="reflect",
                      normalized=False, onesided=True, return_complex=True)
    magnitude = spec.abs().T.contiguous()  # (frames, n_freqs)
    fb = filterbank(n_fft // 2 + 1, f_min, f_max, n_mels, sr)
    log_mel = torch.log(torch.clamp(magnitude ** 2 @ fb.T, min=1e-5))
    return {"magnitude": magnitude, "filterbank": fb.contiguous(), "log_mel": log_mel.contiguous()}
