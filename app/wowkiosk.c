/* wowkiosk: placeholder main, replaced when the modules land. */
int main(void);
int main(void) { return 0; }
