# packaging.cmake: install rules and the two Debian packages (CPack DEB).
#
#   cmake --build B --target package    ->  B/packages/wowkiosk_VERSION_ARCH.deb
#                                           B/packages/wowdash_VERSION_ARCH.deb
#
# One install component per package.  Programs, assets and docs go under
# the install prefix (GNUInstallDirs; CPack's DEB prefix is /usr); the
# config files and the systemd units go to absolute paths (/etc, /lib/systemd/
# system), which is where a Debian package must put them, so a plain
# "cmake --install" of these components needs DESTDIR.  What goes where and
# why: docs/DEPLOY.md, "Packages and services".
include(GNUInstallDirs)

set(WOW_RPI_DIR "${CMAKE_SOURCE_DIR}/platform/rpi")
set(WOW_SYSCONFDIR "/etc" CACHE PATH "Where the packages put their config files")
set(WOW_SYSTEMD_UNITDIR "/lib/systemd/system" CACHE PATH "Where the packages put their units")

if(WOW_SANITIZE)
  message(WARNING "WOW_SANITIZE is ON: packages built here carry ASan/UBSan binaries; "
                  "build them from a release build")
endif()

# --- wowkiosk: the kiosk, its fonts and catalogs, its config and unit ---
install(TARGETS wowkiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT wowkiosk)
# The .pot template is for translators, not read at run time.
install(DIRECTORY assets/fonts assets/po
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wowkiosk COMPONENT wowkiosk
        PATTERN "*.pot" EXCLUDE)
install(FILES ${WOW_RPI_DIR}/kiosk.conf DESTINATION ${WOW_SYSCONFDIR}/wowkiosk COMPONENT wowkiosk)
install(FILES ${WOW_RPI_DIR}/systemd/wowkiosk.service ${WOW_RPI_DIR}/systemd/wowkiosk-headless.service
        DESTINATION ${WOW_SYSTEMD_UNITDIR} COMPONENT wowkiosk)
install(FILES README.md docs/CONFIG.md docs/SYNC.md docs/DEPLOY.md ${WOW_RPI_DIR}/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/wowkiosk COMPONENT wowkiosk)
# A/B updates (docs/DEPLOY.md): RAUC's backend and the slot check, used on
# an A/B image only (which enables wowkiosk-slot.service); RAUC's system.conf
# of the Pi layout as an example beside the docs.
install(PROGRAMS ${WOW_RPI_DIR}/update/autoboot-backend ${WOW_RPI_DIR}/update/slot-check
        ${WOW_RPI_DIR}/update/slot-install ${WOW_RPI_DIR}/update/wowkiosk-updater
        DESTINATION lib/wowkiosk COMPONENT wowkiosk)
install(FILES ${WOW_RPI_DIR}/update/wowkiosk-slot.service
        ${WOW_RPI_DIR}/update/wowkiosk-updater.service ${WOW_RPI_DIR}/update/wowkiosk-updater.timer
        DESTINATION ${WOW_SYSTEMD_UNITDIR} COMPONENT wowkiosk)
install(FILES ${WOW_RPI_DIR}/update/system.conf DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/wowkiosk
        RENAME rauc-system.conf COMPONENT wowkiosk)

# --- wowdash: the dashboard program, its unit and its settings ---
install(TARGETS wowdash RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT wowdash)
# The dashboard's stylesheet, where wowdash serve looks beside its binary
# (../share/wowkiosk/dash).
install(FILES assets/dash/dash.css DESTINATION ${CMAKE_INSTALL_DATADIR}/wowkiosk/dash
        COMPONENT wowdash)
# Its pages' translations, read at start from po/ beside the stylesheet.
install(FILES assets/dash/po/fi.po assets/dash/po/de.po
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wowkiosk/dash/po COMPONENT wowdash)
# The comments' profanity lists the build generated from naughty-words (CC-BY-4.0: its LICENSE
# goes with them), where serve_moderation looks beside dash.css.
install(FILES ${CMAKE_BINARY_DIR}/moderation/en.txt ${CMAKE_BINARY_DIR}/moderation/fi.txt
              ${CMAKE_BINARY_DIR}/moderation/de.txt ${CMAKE_BINARY_DIR}/moderation/LICENSE
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wowkiosk/dash/moderation COMPONENT wowdash)
install(FILES ${WOW_RPI_DIR}/wowdash.default DESTINATION ${WOW_SYSCONFDIR}/default
        RENAME wowdash COMPONENT wowdash)
install(FILES ${WOW_RPI_DIR}/systemd/wowdash.service
        DESTINATION ${WOW_SYSTEMD_UNITDIR} COMPONENT wowdash)
install(FILES README.md docs/SYNC.md docs/DEPLOY.md docs/DASHBOARD.md ${WOW_RPI_DIR}/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/wowdash COMPONENT wowdash)

# --- maintainer scripts and conffiles, one set per package ---
# wow_deb_control(COMPONENT UNIT OTHER CONFFILE): configures the shared
# postinst/prerm/postrm templates for one package and lists its conffile;
# sets WOW_DEB_CONTROL_<COMPONENT> to the files for CPack.
function(wow_deb_control component unit other conffile)
  set(dir "${CMAKE_BINARY_DIR}/debian/${component}")
  set(WOW_DEB_PACKAGE ${component})
  set(WOW_DEB_UNIT ${unit})
  set(WOW_DEB_OTHER ${other})
  foreach(script postinst prerm postrm)
    configure_file(${WOW_RPI_DIR}/debian/${script}.in ${dir}/${script} @ONLY)
  endforeach()
  file(WRITE ${dir}/conffiles "${conffile}\n")
  set(WOW_DEB_CONTROL_${component} ${dir}/conffiles ${dir}/postinst ${dir}/prerm ${dir}/postrm
      PARENT_SCOPE)
endfunction()
wow_deb_control(wowkiosk wowkiosk.service wowdash ${WOW_SYSCONFDIR}/wowkiosk/kiosk.conf)
wow_deb_control(wowdash wowdash.service wowkiosk ${WOW_SYSCONFDIR}/default/wowdash)

# --- CPack: two .deb files ---
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE WOW_HOST_DEB_ARCH
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(WOW_DEB_ARCHITECTURE "${WOW_HOST_DEB_ARCH}" CACHE STRING
    "Debian architecture of the packages (cross builds: arm64)")
option(WOW_DEB_SHLIBDEPS "Compute Depends with dpkg-shlibdeps (needs the target's libraries)" ON)
set(WOW_DEB_MAINTAINER "wowkiosk maintainers <maintainers@users.noreply.r-seed-d43c8651.example>"
    CACHE STRING "Maintainer field of the packages")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wowkiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL wowkiosk wowdash)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${WOW_DEB_ARCHITECTURE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${WOW_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ${WOW_DEB_SHLIBDEPS})
# Maintainer scripts 0755 and conffiles 0644, as dpkg expects.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# Explicit Depends, on top of dpkg-shlibdeps' libraries: adduser for the
# postinst; EGL, GLES and the Mesa drivers, which SDL's kmsdrm driver loads
# with dlopen() and dpkg-shlibdeps therefore cannot see; libespeak-ng1, which
# accessibility mode's speech opens the same way.  udev makes the
# input and render groups the unit names and the device nodes' permissions.
set(CPACK_DEBIAN_WOWKIOSK_PACKAGE_NAME wowkiosk)
set(CPACK_DEBIAN_WOWKIOSK_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_WOWKIOSK_PACKAGE_DEPENDS
    "adduser, libegl1, libgles2, libgl1-mesa-dri, libespeak-ng1, libqrencode4")
set(CPACK_DEBIAN_WOWKIOSK_PACKAGE_RECOMMENDS "udev")
set(CPACK_DEBIAN_WOWKIOSK_PACKAGE_SUGGESTS "wowdash")
set(CPACK_DEBIAN_WOWKIOSK_PACKAGE_CONTROL_EXTRA "${WOW_DEB_CONTROL_wowkiosk}")
string(CONCAT CPACK_DEBIAN_WOWKIOSK_DESCRIPTION
    "customer-feedback touchscreen kiosk\n"
    "Customers tap how a department served them (four faces), optionally say why,\n"
    "and are thanked.  Every tap is stored durably in SQLite first and its counts\n"
    "are synced to a shared database (PostgreSQL or a local SQLite file).\n"
    "Runs fullscreen on DRM/KMS as the systemd service wowkiosk.service.")

set(CPACK_DEBIAN_WOWDASH_PACKAGE_NAME wowdash)
set(CPACK_DEBIAN_WOWDASH_PACKAGE_SECTION database)
set(CPACK_DEBIAN_WOWDASH_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_WOWDASH_PACKAGE_SUGGESTS "wowkiosk, postgresql")
set(CPACK_DEBIAN_WOWDASH_PACKAGE_CONTROL_EXTRA "${WOW_DEB_CONTROL_wowdash}")
string(CONCAT CPACK_DEBIAN_WOWDASH_DESCRIPTION
    "dashboard and administration of the wowkiosk shared database\n"
    "wowdash migrates the shared schema, provisions kiosks and serves the\n"
    "dashboard (wowdash.service) over the counts the wowkiosk kiosks sync to\n"
    "PostgreSQL or to a SQLite file on the kiosk's own machine.")

include(CPack)
