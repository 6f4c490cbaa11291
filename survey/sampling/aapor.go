package sampling

import (
	"fmt"
	"math"

	"manyi/survey"
)

// Dispositions of a drawn case. A case starts at DispNotSent and moves on
// as fieldwork records what happened; only released cases count in rates.
const (
	DispNotSent     = "not_sent"     // released, invitation not yet sent
	DispSent        = "sent"         // invitation sent, nothing heard back
	DispOpened      = "opened"       // link opened (or phone answered), screener not finished
	DispPartial     = "partial"      // questionnaire started, not finished
	DispComplete    = "complete"     // questionnaire submitted
	DispScreenedOut = "screened_out" // not in the population (age, residence)
	DispRefused     = "refused"      // refused or asked to stop
	DispQuotaFull   = "quota_full"   // eligible, but the quota cell was full
	DispUnreachable = "unreachable"  // SMS bounced, number dead or never reached
)

// Derived dispositions: never stored on a case, they are what the counts
// use for a case still open (not sent, sent, opened, unreachable) whose
// latest call that reached anyone says more than its disposition does
// (see fieldwork.AAPORDisposition).
const (
	// DispNonContact: the household confirmed the sampled person lives
	// there, but the person was never available (AAPOR 2.21, NC).
	DispNonContact = "non_contact"
	// DispOther: the person was reached but cannot be interviewed for
	// health or language (AAPOR 2.32, 2.33: O).
	DispOther = "other"
)

// Dispositions lists every disposition in the order of the fieldwork.
var Dispositions = []string{DispNotSent, DispSent, DispOpened, DispPartial, DispComplete, DispScreenedOut, DispRefused, DispQuotaFull, DispUnreachable}

// DispositionCounts counts released cases by manyi disposition.
type DispositionCounts struct {
	NotSent, Sent, Opened, Partial, Complete, ScreenedOut, Refused, QuotaFull, Unreachable int
	// NonContact and Other count the open cases that the call record puts
	// in AAPOR's NC and O (DispNonContact, DispOther); such a case is
	// counted here and not under its stored disposition.
	NonContact, Other int
}

// Add adds n cases of the disposition d (one of Dispositions); an unknown
// disposition is an error naming it.
func (c *DispositionCounts) Add(d string, n int) error {
	switch d {
	case DispNotSent:
		c.NotSent += n
	case DispSent:
		c.Sent += n
	case DispOpened:
		c.Opened += n
	case DispPartial:
		c.Partial += n
	case DispComplete:
		c.Complete += n
	case DispScreenedOut:
		c.ScreenedOut += n
	case DispRefused:
		c.Refused += n
	case DispQuotaFull:
		c.QuotaFull += n
	case DispUnreachable:
		c.Unreachable += n
	case DispNonContact:
		c.NonContact += n
	case DispOther:
		c.Other += n
	default:
		return survey.Errorf(survey.EINVALID, "未知的样本状态“%s”", "unknown disposition %q", d)
	}
	return nil
}

// AAPORCounts are case counts in AAPOR's final disposition groups
// (Standard Definitions, 2023): I complete, P partial, R refusal and
// break-off, NC non-contact, O other eligible non-interview, UH and UO
// unknown eligibility (no contact / contacted), NE not eligible.
type AAPORCounts struct {
	I, P, R, NC, O, UH, UO, NE int
}

// AAPOR maps manyi's dispositions to AAPOR's groups (Standard Definitions,
// 10th edition, 2023, table of final disposition codes for telephone
// surveys):
//
//	complete                        → I  (1.1)
//	partial                         → P  (1.2)
//	refused                         → R  (2.10)
//	non_contact                     → NC (2.21 respondent never available)
//	other                           → O  (2.32 unable, 2.33 language)
//	not_sent, sent, unreachable     → UH (3.10: nothing known about the case)
//	opened                          → UO (3.21: reached, no screener completed)
//	screened_out, quota_full        → NE (4.70, 4.80 quota filled)
//
// NC and O come from the interviewers' call outcomes (not_available,
// unable, language; fieldwork.AAPORDisposition): a frame record's age and
// residence are only confirmed by the screener, so a case counts as a
// known-eligible non-interview only when someone who knows the sampled
// person says they live there.
func (c DispositionCounts) AAPOR() AAPORCounts {
	return AAPORCounts{
		I:  c.Complete,
		P:  c.Partial,
		R:  c.Refused,
		NC: c.NonContact,
		O:  c.Other,
		UH: c.NotSent + c.Sent + c.Unreachable,
		UO: c.Opened,
		NE: c.ScreenedOut + c.QuotaFull,
	}
}

// RateSet holds AAPOR outcome rates and the e they used. A rate whose
// denominator is 0 (no cases yet) is NaN.
type RateSet struct {
	RR1, RR2, RR3, RR4, RR5, RR6 float64 // response rates
	COOP1, COOP2, COOP3, COOP4   float64 // cooperation rates
	REF1, REF2, REF3             float64 // refusal rates
	CON1, CON2, CON3             float64 // contact rates
	E                            float64 // estimated share of unknown-eligibility cases that are eligible
	Counts                       AAPORCounts
}

// Rates computes the AAPOR rates of the counts with e, the estimated share
// of unknown-eligibility cases that are eligible (see EstimateE); e outside
// [0, 1] panics.
func Rates(counts DispositionCounts, e float64) RateSet { return RatesAAPOR(counts.AAPOR(), e) }

// RatesAAPOR computes the rates from counts already in AAPOR's groups, with
// the formulas of AAPOR Standard Definitions (10th edition, 2023):
//
//	RR1   = I / ((I+P) + (R+NC+O) + (UH+UO))
//	RR2   = (I+P) / ((I+P) + (R+NC+O) + (UH+UO))
//	RR3   = I / ((I+P) + (R+NC+O) + e(UH+UO))
//	RR4   = (I+P) / ((I+P) + (R+NC+O) + e(UH+UO))
//	RR5   = I / ((I+P) + (R+NC+O))
//	RR6   = (I+P) / ((I+P) + (R+NC+O))
//	COOP1 = I / ((I+P) + R + O)
//	COOP2 = (I+P) / ((I+P) + R + O)
//	COOP3 = I / ((I+P) + R)
//	COOP4 = (I+P) / ((I+P) + R)
//	REF1  = R / ((I+P) + (R+NC+O) + (UH+UO))
//	REF2  = R / ((I+P) + (R+NC+O) + e(UH+UO))
//	REF3  = R / ((I+P) + (R+NC+O))
//	CON1  = ((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))
//	CON2  = ((I+P) + R + O) / ((I+P) + R + O + NC + e(UH+UO))
//	CON3  = ((I+P) + R + O) / ((I+P) + R + O + NC)
func RatesAAPOR(a AAPORCounts, e float64) RateSet {
	if !(e >= 0 && e <= 1) {
		panic(fmt.Sprintf("sampling: AAPOR e = %v outside [0, 1]", e))
	}
	I, P, R, NC, O := float64(a.I), float64(a.P), float64(a.R), float64(a.NC), float64(a.O)
	U := float64(a.UH + a.UO)
	all := (I + P) + (R + NC + O) + U
	allE := (I + P) + (R + NC + O) + e*U
	known := (I + P) + (R + NC + O)
	coop := (I + P) + R + O
	return RateSet{
		RR1:    ratio(I, all),
		RR2:    ratio(I+P, all),
		RR3:    ratio(I, allE),
		RR4:    ratio(I+P, allE),
		RR5:    ratio(I, known),
		RR6:    ratio(I+P, known),
		COOP1:  ratio(I, coop),
		COOP2:  ratio(I+P, coop),
		COOP3:  ratio(I, (I+P)+R),
		COOP4:  ratio(I+P, (I+P)+R),
		REF1:   ratio(R, all),
		REF2:   ratio(R, allE),
		REF3:   ratio(R, known),
		CON1:   ratio(coop, coop+NC+U),
		CON2:   ratio(coop, coop+NC+e*U),
		CON3:   ratio(coop, coop+NC),
		E:      e,
		Counts: a,
	}
}

// EstimateE estimates e as the eligible share among cases whose
// eligibility is known: (I+P+R+NC+O) / (I+P+R+NC+O+NE), AAPOR's
// "proportional allocation" (CASRO) estimate. With no known case it
// returns 1, the conservative choice that makes RR3 equal RR1.
func EstimateE(a AAPORCounts) float64 {
	el := float64(a.I + a.P + a.R + a.NC + a.O)
	if el+float64(a.NE) == 0 {
		return 1
	}
	return el / (el + float64(a.NE))
}

func ratio(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
