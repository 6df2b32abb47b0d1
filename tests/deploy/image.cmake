# image.cmake - CTest registration of the Raspberry Pi image builder's test
# (platform/rpi/image/build-image.sh); included from tests/deploy/CMakeLists.txt.
# Runs the configure and image stages on a fake tree: no network, qemu, mounts
# or root. WOW_IMAGE_FULL=1 in the environment adds a real first debootstrap
# stage (root and the Debian mirror needed; about 20 s).
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME deploy_image
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/test_image.py ${CMAKE_SOURCE_DIR})
set_tests_properties(deploy_image PROPERTIES TIMEOUT 600 LABELS deploy)
# In CI (CI=true, root, a fresh machine whose apt reaches the Debian mirror)
# the first debootstrap stage runs for real too: the issue asks that a test
# builds at least the image's first stage.
if(DEFINED ENV{CI} AND "$ENV{CI}" STREQUAL "true")
  set_tests_properties(deploy_image PROPERTIES ENVIRONMENT "WOW_IMAGE_FULL=1")
endif()
