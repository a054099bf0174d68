# The shape every CRM service is built in, from services/services.list (the one list of
# services) and one crm_service() call in services/<name>/CMakeLists.txt:
#
#   crm_service(orders SOURCES service.cc store.cc validation.cc
#                      LIBS crm_proto crm_api crm_auth crm_db crm_events crm_grpc)
#
# makes
#   crm_orders_service   a static library of SOURCES, linking LIBS publicly (tests link it)
#   crm-orders           the server, from main.cc, compiled with its facts from the list, so
#                        main.cc need not repeat them: CRM_SERVICE_NAME ("orders"),
#                        CRM_SERVICE_PORT and CRM_SERVICE_METRICS_PORT (its ports in the list),
#                        and CRM_ORDERS_SCHEMA_DIR = CRM_SCHEMA_DIR (its --schema_dir default)
#   install rules        bin/crm-orders and share/crm/orders/schema/ (the migrations)
# and adds crm-orders to crm-servers, the target that builds every server (deploy/Dockerfile
# builds it and runs `cmake --install`). Tests stay in the service's CMakeLists.txt (crm_test).
#
# Where the compiled-in schema directory points: the source tree (services/<name>/schema), so
# a build runs from where it was built; with -DCRM_INSTALLED_SCHEMAS=ON, the installed copy
# (<CMAKE_INSTALL_PREFIX>/share/crm/<name>/schema), so an installed tree runs on its own.
# A server's --schema_dir flag (CRM_SCHEMA_DIR) overrides either.
include(GNUInstallDirs)

option(CRM_INSTALLED_SCHEMAS
  "servers default to their installed migrations (<prefix>/share/crm/<name>/schema) rather than the source tree's"
  OFF)

add_custom_target(crm-servers)

# Reads services/services.list into CRM_SERVICES (the names, in list order) and
# CRM_SERVICE_PORTS_<name> ("grpc_port;metrics_port"). Every line is
# "name grpc_port metrics_port"; '#' starts a comment. Editing the file re-runs CMake.
function(crm_read_service_list file)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(STRINGS ${file} lines)
  set(names)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "#.*" "" line "${line}")
    string(STRIP "${line}" line)
    if(line STREQUAL "")
      continue()
    endif()
    if(NOT line MATCHES "^([a-z]+)[ \t]+([0-9]+)[ \t]+([0-9]+)$")
      message(FATAL_ERROR "${file}: \"${line}\" is not \"name grpc_port metrics_port\"")
    endif()
    if(CMAKE_MATCH_1 IN_LIST names)
      message(FATAL_ERROR "${file}: ${CMAKE_MATCH_1} is listed twice")
    endif()
    list(APPEND names ${CMAKE_MATCH_1})
    set(CRM_SERVICE_PORTS_${CMAKE_MATCH_1} "${CMAKE_MATCH_2};${CMAKE_MATCH_3}" PARENT_SCOPE)
  endforeach()
  set(CRM_SERVICES ${names} PARENT_SCOPE)
endfunction()

# Installs a server binary and adds it to crm-servers (crm_service does this for services; the
# gateway calls it itself).
function(crm_server_install target)
  install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  add_dependencies(crm-servers ${target})
endfunction()

function(crm_service name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "crm_service(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name IN_LIST CRM_SERVICES)
    message(FATAL_ERROR "crm_service(${name}): add \"${name}\" to services/services.list")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "crm_service(${name}): SOURCES is empty")
  endif()

  add_library(crm_${name}_service STATIC ${arg_SOURCES})
  target_link_libraries(crm_${name}_service PUBLIC ${arg_LIBS})

  set(schema_source ${CMAKE_CURRENT_SOURCE_DIR}/schema)
  if(CRM_INSTALLED_SCHEMAS)
    set(schema_default ${CMAKE_INSTALL_FULL_DATADIR}/crm/${name}/schema)
  else()
    set(schema_default ${schema_source})
  endif()
  string(TOUPPER ${name} upper)
  list(GET CRM_SERVICE_PORTS_${name} 0 port)
  list(GET CRM_SERVICE_PORTS_${name} 1 metrics_port)
  add_executable(crm-${name} main.cc)
  target_compile_definitions(crm-${name} PRIVATE
    CRM_SERVICE_NAME="${name}" CRM_SERVICE_PORT=${port} CRM_SERVICE_METRICS_PORT=${metrics_port}
    CRM_${upper}_SCHEMA_DIR="${schema_default}" CRM_SCHEMA_DIR="${schema_default}")
  target_link_libraries(crm-${name} PRIVATE crm_${name}_service crm_config)

  crm_server_install(crm-${name})
  if(EXISTS ${schema_source})
    install(DIRECTORY ${schema_source}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/crm/${name}/schema)
  endif()
endfunction()
