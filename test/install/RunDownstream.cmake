# cmake -P script: install BUILD_DIR into WORK_DIR/prefix, build the
# downstream project SOURCE_DIR against it, run it.
set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(file include/attn/jit/Attention.h include/attn/runtime/Status.h
    lib/cmake/Attn/AttnConfig.cmake bin/attn-opt)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "the install tree lacks ${file}")
  endif()
endforeach()

run("configuring the downstream project" ${CMAKE_COMMAND} -G ${GENERATOR}
  -S ${SOURCE_DIR} -B ${build} -DCMAKE_PREFIX_PATH=${prefix}
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release)
run("building the downstream project" ${CMAKE_COMMAND} --build ${build})
set(ENV{ATTN_DISABLE_CACHE} 1)
run("running the downstream program" ${build}/downstream)
message(STATUS "${output}")
if(NOT output MATCHES "downstream: fused, 1 kernel\\(s\\), [0-9]+ bytes of PTX")
  message(FATAL_ERROR "unexpected output:\n${output}")
endif()
