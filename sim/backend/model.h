/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * model.h - the model backend (model.c): every operation of the ops table
 * (core/backend.h) is the model call of the same name, and the model-only
 * queries are there too.
 */
#ifndef SIM_BACKEND_MODEL_H
#define SIM_BACKEND_MODEL_H

#include "core/backend.h"

G_BEGIN_DECLS

extern const SimBackendOps sim_backend_model;

G_END_DECLS

#endif /* SIM_BACKEND_MODEL_H */
