#ifndef DTI_CLIBPQ_SHIM_H
#define DTI_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
