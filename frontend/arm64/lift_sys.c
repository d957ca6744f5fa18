/* lift_sys.c — (being written: issue 7). */
#include "a64_lift.h"

const A64Row a64_rows_sys[] = {
    {0},
};
void a64_sys_init(void) {}
