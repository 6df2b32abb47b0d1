/*
 * restart: the technician's restart (and department switch): the program
 * runs again in this process, so systemd's NotifyAccess=main still holds.
 */
#ifndef WOW_KIOSK_RESTART_H
#define WOW_KIOSK_RESTART_H

/* Executes /proc/self/exe with argv (borrowed) less any --script FILE (a
 * script has done its part).  Returns only when that fails (logged). */
void restart_exec(char **argv);

#endif
