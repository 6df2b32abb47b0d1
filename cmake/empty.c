/* Placeholder translation unit while a library has no sources yet. */
extern int wow_empty_unit;
