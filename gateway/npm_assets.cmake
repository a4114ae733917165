# Helpers for the files the binary embeds from npm packages (the API-docs pages and the
# console): install the pinned packages with `npm ci` at configure time, and write the assembler
# text that `.incbin`s files into .rodata.

# gw_npm_install(<dir> <what> <package>...): runs `npm ci` in <dir> when an installed version of
# a <package> differs from its pin in <dir>/package.json (dependencies or devDependencies), so
# a changed pin configures again and reinstalls. <what> names the files in messages.
function(gw_npm_install dir what)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${dir}/package.json ${dir}/package-lock.json)
  file(READ ${dir}/package.json manifest)
  set(stale FALSE)
  foreach(pkg IN LISTS ARGN)
    string(JSON pin ERROR_VARIABLE no_dep GET "${manifest}" dependencies ${pkg})
    if(no_dep)
      string(JSON pin GET "${manifest}" devDependencies ${pkg})
    endif()
    set(installed "")
    if(EXISTS ${dir}/node_modules/${pkg}/package.json)
      file(READ ${dir}/node_modules/${pkg}/package.json installed_manifest)
      string(JSON installed ERROR_VARIABLE json_error GET "${installed_manifest}" version)
    endif()
    if(NOT "${installed}" STREQUAL "${pin}")
      set(stale TRUE)
    endif()
    string(REPLACE "-" "_" var ${pkg})
    set(GW_NPM_PIN_${var} ${pin} PARENT_SCOPE)
  endforeach()
  if(NOT stale)
    return()
  endif()
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "npm not found. The build installs ${what} (pinned in ${dir}/"
            "package-lock.json) with npm: run `bash .ci/setup --runtime` (it installs Node.js "
            "and npm), then configure again.")
  endif()
  message(STATUS "Installing ${what}: npm ci in ${dir}")
  # --ignore-scripts: only files are needed (and install-time analytics stay off);
  # --omit=peer: ReDoc's standalone bundle contains React and the rest.
  execute_process(COMMAND ${NPM_EXECUTABLE} ci --ignore-scripts --omit=peer --no-audit --no-fund
                          --loglevel=error
                  WORKING_DIRECTORY ${dir}
                  RESULT_VARIABLE npm_result)
  if(NOT npm_result EQUAL 0)
    message(FATAL_ERROR "`npm ci` in ${dir} failed (${npm_result}): ${what} could not be "
            "installed from the npm registry. Run `bash .ci/setup --runtime` (it installs them "
            "too), or fix the npm error above, then configure again.")
  endif()
endfunction()

# gw_incbin(<out_var> <prefix> <symbol>=<path>...): appends to <out_var> the assembler lines
# that place each file between <prefix>_<symbol>_start and _end, with its length in
# <prefix>_<symbol>_size (a value the assembler computes, not a subtraction of pointers in C++).
function(gw_incbin out_var prefix)
  set(text "${${out_var}}")
  foreach(entry IN LISTS ARGN)
    string(REPLACE "=" ";" entry "${entry}")
    list(GET entry 0 sym)
    list(GET entry 1 path)
    if(NOT EXISTS ${path})
      message(FATAL_ERROR "${path} is missing: it should have been installed or built above")
    endif()
    set(s ${prefix}_${sym})
    string(APPEND text
      "  .global ${s}_start\n  .global ${s}_end\n  .global ${s}_size\n  .balign 16\n"
      "${s}_start:\n  .incbin \"${path}\"\n${s}_end:\n"
      "  .balign 8\n${s}_size:\n  .quad ${s}_end - ${s}_start\n")
  endforeach()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()
