{
  "targets": [
    {
      "target_name": "openbp_sys",
      "sources": ["src/native/openbp-sys.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
