{
  "targets": [
    {
      "target_name": "openbp_sys",
      "sources": [
        "src/native/openbp-sys.c",
        "src/native/incremental-base.c",
        "src/native/blake3/blake3.c",
        "src/native/blake3/blake3_dispatch.c",
        "src/native/blake3/blake3_portable.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "conditions": [
        ["target_arch=='x64'", {
          "sources": [
            "src/native/blake3/blake3_sse2_x86-64_unix.S",
            "src/native/blake3/blake3_sse41_x86-64_unix.S",
            "src/native/blake3/blake3_avx2_x86-64_unix.S",
            "src/native/blake3/blake3_avx512_x86-64_unix.S"
          ]
        }, {
          "defines": ["BLAKE3_NO_SSE2", "BLAKE3_NO_SSE41", "BLAKE3_NO_AVX2", "BLAKE3_NO_AVX512"]
        }]
      ]
    }
  ]
}
