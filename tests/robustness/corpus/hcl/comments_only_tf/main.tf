# nothing
// here
/* at all */
