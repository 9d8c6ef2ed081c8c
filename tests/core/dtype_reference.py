"""PyTorch's conversions between f32 and the 16-bit float formats, as raw bits.

tensors: "values" (f32, any bit patterns) and "halves" (i32, 16-bit patterns 0..65535).
Returns the 16-bit results of values.to(bfloat16) / .half() and the f32 bits of every
pattern read as bfloat16 / float16, all as i32 so that no float conversion touches them.
"""
import torch


def run(tensors, meta):
    values = tensors["values"]
    patterns = tensors["halves"].long()
    as_int16 = torch.where(patterns >= 32768, patterns - 65536, patterns).to(torch.int16)
    return {
        "to_bf16": values.to(torch.bfloat16).view(torch.int16).to(torch.int32) & 0xFFFF,
        "to_f16": values.half().view(torch.int16).to(torch.int32) & 0xFFFF,
        "from_bf16": as_int16.view(torch.bfloat16).float().view(torch.int32),
        "from_f16": as_int16.view(torch.float16).float().view(torch.int32),
    }
