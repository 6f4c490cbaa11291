// Package fieldwork is the domain contract of the fieldwork side: the
// drawn cases with their dispositions and call attempts, quota cells,
// data-quality exclusions and the monitor's figures, and the Store that
// keeps them (survey/sqlite implements it). The web pages and commands use
// these types; the sampling and quality arithmetic lives in survey/sampling
// and survey/quality.
package fieldwork
