/*
 * monitor.h - umbrella header of the monitor C core. Include this, link libmonitor.a.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include "mon_config.h"
#include "mon_status.h"
#include "mon_types.h"
#include "mon_window.h"
#include "mon_drift.h"
#include "mon_bin.h"
#include "mon_select.h"
#include "mon_hist.h"
#include "mon_service.h"
#include "mon_shared.h"
#include "mon_sha256.h"
#include "mon_ledger.h"
#include "mon_monitor.h"
#include "mon_policy.h"
#include "mon_reference.h"
#include "mon_rules.h"

#endif /* MONITOR_H */
