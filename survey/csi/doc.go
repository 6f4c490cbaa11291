// Package csi computes the service-industry customer-satisfaction index
// (服务业顾客满意度测评指数) of a service measurement: per sector a CCSI
// path model estimated by partial least squares (through stats), construct
// indices on 0–100 with bootstrap intervals, the city's overall CSI from the
// statistician's sector weights, the change on last year, the measurement
// model's quality and the drivers of satisfaction. It is pure: no database,
// no HTTP, no files. docs/CSI.md describes the model and the method.
package csi
