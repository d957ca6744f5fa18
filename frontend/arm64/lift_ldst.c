/* lift_ldst.c — (being written: issue 7). */
#include "a64_lift.h"

const A64Row a64_rows_ldst[] = {
    {0},
};
