"""The Raspberry Pi EEPROM bootloader's choice of boot partition, as the
virtual kiosk emulates it: autoboot.txt on partition 1, and the one-shot
tryboot flag (set by `reboot '0 tryboot'`, cleared before the boot starts).

Only what the kiosk's autoboot.txt uses: [all] and [tryboot] sections,
tryboot_a_b=1, boot_partition=N. Anything else is an error: a test must never
pass on a file the real bootloader would read differently.
"""


class AutobootError(ValueError):
    pass


def boot_partition(text, tryboot, name="autoboot.txt"):
    """The partition the next boot starts: [tryboot]'s when the flag is set
    and tryboot_a_b=1, else [all]'s."""
    section, values = None, {"all": None, "tryboot": None}
    ab = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("[all]", "[tryboot]"):
            section = line[1:-1]
        elif line == "tryboot_a_b=1":
            ab = True
        elif line.startswith("boot_partition="):
            if section is None:
                raise AutobootError("%s:%d: boot_partition outside a section" % (name, n))
            try:
                values[section] = int(line.split("=", 1)[1])
            except ValueError:
                raise AutobootError("%s:%d: boot_partition: expected a number" % (name, n))
        else:
            raise AutobootError("%s:%d: unknown line %r" % (name, n, line))
    if values["all"] is None:
        raise AutobootError("%s: no boot_partition under [all]" % name)
    if tryboot and ab and values["tryboot"] is not None:
        return values["tryboot"]
    return values["all"]
