// CRC-32C with the CPU's own instruction: record batches v2 are checksummed with it on every
// produce and every fetch, and the instruction is several times faster than table lookups.
#include "kafscope_crc32c.h"
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int kafscope_crc32c_hw_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t kafscope_crc32c_hw(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = ~crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = _mm_crc32_u8(c32, *p);
        p++;
        n--;
    }
    return ~c32;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <asm/hwcap.h>

int kafscope_crc32c_hw_available(void) {
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) ? 1 : 0;
}

__attribute__((target("crc")))
uint32_t kafscope_crc32c_hw(uint32_t crc, const uint8_t *p, size_t n) {
    uint32_t c = ~crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_arm_crc32cd(c, word);
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        c = __builtin_arm_crc32cb(c, *p);
        p++;
        n--;
    }
    return ~c;
}

#else

int kafscope_crc32c_hw_available(void) { return 0; }

uint32_t kafscope_crc32c_hw(uint32_t crc, const uint8_t *p, size_t n) {
    (void)p;
    (void)n;
    return crc;
}

#endif
