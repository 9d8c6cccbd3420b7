/*
 * Compile-time bomb: the preprocessor includes /dev/zero, an endless file, and keeps reading it
 * into memory. The compile stage must end at the memory limit (the OOM killer kills cc1) and the
 * run stage must not run.
 */
#include "/dev/zero"
int main(void) { return 0; }
