{
  # The Node addon: the native core (core/**/*.cc, no Node headers) plus the binding (addon/*.cc),
  # one shared object with liburing linked statically, so it needs no liburing at run time.
  # Built with `node-gyp rebuild --directory=native` (npm run build:native), and for the package
  # by prebuildify during `npm pack` (npm run build:prebuild: native/prebuilds/linux-x64/).
  # libstdc++ and libgcc stay shared on purpose: bookworm's static libstdc++.a pulls in
  # arc4random (glibc 2.36) and libgcc_eh _dl_find_object (2.35), while the shared build needs
  # glibc 2.34 and GLIBCXX_3.4.30, which Ubuntu 22.04 has and 2.36 would exclude.
  "targets": [
    {
      "target_name": "iouring_bench",
      "sources": [
        "<!@(ls -1 core/*.cc core/loop/*.cc core/harness/*.cc)",
        "<!@(ls -1 addon/*.cc)"
      ],
      "include_dirs": ["core"],
      "dependencies": [
        # Any std::exception escaping a binding call becomes a JS Error carrying what().
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "IOB_COUNTERS=1"],
      "cflags_cc!": ["-std=gnu++17", "-fno-rtti"],
      # Hidden visibility, for our code and for liburing.a's (--exclude-libs): only the module's
      # registration is exported, so calls inside the addon bind directly and may be inlined.
      # Built -fPIC with default visibility, every function was interposable: called through the
      # PLT and never inlined across its definition.
      "cflags_cc": ["-std=c++20", "-O2", "-fvisibility=hidden", "-fvisibility-inlines-hidden",
                    "-Wall", "-Wextra", "-Wno-missing-field-initializers"],
      "ldflags": ["-Wl,--exclude-libs,ALL"],
      "libraries": ["<!(pkg-config --variable=libdir liburing)/liburing.a"]
    }
  ]
}
