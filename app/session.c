/* session: placeholder */
