/* session: placeholder */
extern int wow_session_placeholder;
