/* emu_user.c — main() of the user-mode emulators; EMU_GUEST picks the guest ABI
 * (emu-x86_64, emu-aarch64 are this file built twice). */
#include "user.h"

int main(int argc, char **argv) { return user_main(argc, argv, &EMU_GUEST); }
