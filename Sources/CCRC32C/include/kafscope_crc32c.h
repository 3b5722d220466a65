#ifndef KAFSCOPE_CRC32C_H
#define KAFSCOPE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC-32C instruction kafscope_crc32c_hw can use (SSE 4.2 on x86-64, the
/// CRC extension on AArch64), else 0.
int kafscope_crc32c_hw_available(void);

/// CRC-32C (Castagnoli) of `count` bytes, continuing from `crc` (0 to start), in hardware.
/// Call only when kafscope_crc32c_hw_available() returned 1.
uint32_t kafscope_crc32c_hw(uint32_t crc, const uint8_t *bytes, size_t count);

#endif
