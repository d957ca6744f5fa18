/* lift_dp_reg.c — (being written: issue 7). */
#include "a64_lift.h"

const A64Row a64_rows_dp_reg[] = {
    {0},
};
