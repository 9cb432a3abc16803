# cmake -P script: install BUILD_DIR into a prefix, move the prefix, run the
# installed tools from it, then build and run the downstream project
# SOURCE_DIR against it and against BUILD_DIR.
set(staged ${WORK_DIR}/staged)
set(prefix ${WORK_DIR}/moved)
file(REMOVE_RECURSE ${WORK_DIR})
set(ENV{ATTN_DISABLE_CACHE} 1)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
    ERROR_VARIABLE out WORKING_DIRECTORY ${WORK_DIR})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

function(expect what pattern)
  if(NOT output MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: expected /${pattern}/ in:\n${output}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

file(MAKE_DIRECTORY ${WORK_DIR})
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${staged})
file(RENAME ${staged} ${prefix})
foreach(file include/attn/jit/Attention.h include/attn/runtime/Status.h
    lib/cmake/Attn/AttnConfig.cmake bin/attn-opt bin/attn-compile
    bin/attn-cpu-run bin/attn-run bin/jit_attention)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "the install tree lacks ${file}")
  endif()
endforeach()

# The installed tools run from the (moved) prefix.
run("installed attn-opt" ${prefix}/bin/attn-opt ${EXAMPLE} -attn-tile)
expect("installed attn-opt" "tile.launch")
run("installed attn-compile" ${prefix}/bin/attn-compile ${EXAMPLE}
  --pipeline unfused -o ${WORK_DIR}/unfused.ptx)
expect("installed attn-compile" "unfused: 3 kernel\\(s\\)")
file(READ ${WORK_DIR}/unfused.ptx ptx LIMIT 4096)
if(NOT ptx MATCHES "// attn.kernel attn_softmax")
  message(FATAL_ERROR "installed attn-compile wrote no manifest:\n${ptx}")
endif()
run("installed attn-cpu-run" ${prefix}/bin/attn-cpu-run --shape 1x2x33x64
  --dtype bf16 --causal)
expect("installed attn-cpu-run" "PASS fused .*PASS unfused")

# A downstream project against the install tree, with another machine's
# CUDA headers (ATTN_CUDA_INCLUDE_DIR) instead of this build's.
function(downstream name)
  set(build ${WORK_DIR}/downstream-${name})
  run("configuring the downstream project (${name})" ${CMAKE_COMMAND}
    -G ${GENERATOR} -S ${SOURCE_DIR} -B ${build}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release ${ARGN})
  set(configure_output "${output}" PARENT_SCOPE)
  run("building the downstream project (${name})" ${CMAKE_COMMAND}
    --build ${build})
  run("running the downstream program (${name})" ${build}/downstream)
  expect("downstream (${name})"
    "downstream: fused, 1 kernel\\(s\\), [0-9]+ bytes of PTX")
endfunction()

file(MAKE_DIRECTORY ${WORK_DIR}/cuda/include)
file(WRITE ${WORK_DIR}/cuda/include/cuda.h "")
downstream(install -DCMAKE_PREFIX_PATH=${prefix}
  -DATTN_CUDA_INCLUDE_DIR=${WORK_DIR}/cuda/include)
set(output "${configure_output}")
expect("the package's include directories"
  "Attn::attn includes: [^\n]*${WORK_DIR}/cuda/include")
downstream(build-tree -DAttn_DIR=${BUILD_DIR})
