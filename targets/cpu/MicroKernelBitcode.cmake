# slm_add_microkernel_bitcode: a CPU target's C++ micro-kernels compiled by
# clang-22 into LLVM bitcode once per variant, linked per variant and
# embedded in the compiler (EmbedBitcode.cmake writes OUTPUT, declared by
# EMBED_HEADER), so that codegen links them into each model.
#
#   slm_add_microkernel_bitcode(
#     LABEL "x86" STEM_SUFFIX x86-64-         # messages; <stem>-<suffix><variant>.bc
#     SOURCES ... HEADERS ... FLAGS ...        # common clang flags
#     VARIANTS v3 v4 VARIANT_FLAGS_PREFIX SLM_X86_UKERNEL_ISA_FLAGS_
#     EMBED_HEADER targets/x86/X86MicroKernelBitcode.h NAMESPACE slm::x86 NAMES V3,V4
#     OUTPUT <generated .cpp>)
include_guard(GLOBAL)
find_program(SLMC_CLANG NAMES clang-22 clang PATHS /usr/lib/llvm-22/bin NO_DEFAULT_PATH REQUIRED)
find_program(SLMC_LLVM_LINK NAMES llvm-link-22 llvm-link PATHS /usr/lib/llvm-22/bin NO_DEFAULT_PATH REQUIRED)

function(slm_add_microkernel_bitcode)
  cmake_parse_arguments(PARSE_ARGV 0 uk ""
    "LABEL;STEM_SUFFIX;VARIANT_FLAGS_PREFIX;EMBED_HEADER;NAMESPACE;NAMES;OUTPUT"
    "SOURCES;HEADERS;FLAGS;VARIANTS")
  set(bitcodes)
  foreach(variant ${uk_VARIANTS})
    set(objs)
    foreach(src ${uk_SOURCES})
      get_filename_component(stem ${src} NAME_WE)
      set(bc ${CMAKE_CURRENT_BINARY_DIR}/ukernels/${stem}-${uk_STEM_SUFFIX}${variant}.bc)
      add_custom_command(OUTPUT ${bc}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/ukernels
        COMMAND ${SLMC_CLANG} ${uk_FLAGS} ${${uk_VARIANT_FLAGS_PREFIX}${variant}}
                -emit-llvm -c ${src} -o ${bc}
        DEPENDS ${src} ${uk_HEADERS}
        COMMENT "Building ${uk_LABEL} micro-kernel bitcode ${stem} (${uk_STEM_SUFFIX}${variant})"
        VERBATIM)
      list(APPEND objs ${bc})
    endforeach()
    set(linked ${CMAKE_CURRENT_BINARY_DIR}/ukernels/ukernels-${uk_STEM_SUFFIX}${variant}.bc)
    add_custom_command(OUTPUT ${linked}
      COMMAND ${SLMC_LLVM_LINK} ${objs} -o ${linked}
      DEPENDS ${objs}
      COMMENT "Linking ${uk_LABEL} micro-kernel bitcode (${uk_STEM_SUFFIX}${variant})"
      VERBATIM)
    list(APPEND bitcodes ${linked})
  endforeach()
  string(REPLACE ";" "," files "${bitcodes}")
  add_custom_command(OUTPUT ${uk_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${uk_OUTPUT}
            -DHEADER=${uk_EMBED_HEADER} -DNAMESPACE=${uk_NAMESPACE}
            -DNAMES=${uk_NAMES} -DFILES=${files}
            -P ${PROJECT_SOURCE_DIR}/targets/cpu/EmbedBitcode.cmake
    DEPENDS ${bitcodes} ${PROJECT_SOURCE_DIR}/targets/cpu/EmbedBitcode.cmake
    COMMENT "Embedding the ${uk_LABEL} micro-kernel bitcode"
    VERBATIM)
endfunction()
