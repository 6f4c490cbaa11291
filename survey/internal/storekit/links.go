package storekit

import (
	"database/sql"
	"strings"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// LinkPick is one case IssueLinks selected, and what it does to it.
type LinkPick struct {
	Link   fieldwork.IssuedLink
	Disp   string // the case's disposition before
	Inv    int64  // its invitation
	Sealed string // its sealed contact, with sel.WithContact
	// Set by IssueTokens:
	Hash []byte // the new token's stored form
	To   string // the disposition after: sent, or a reminder's own
	Note string // the history note
}

// LinkSelect checks sel and returns the query (with ? placeholders, in
// SQL both databases take) that selects the cases IssueLinks gives a new
// link, in drawn order, and its arguments; join adds the adapter's own
// join (PostgreSQL locks the invitations too). Cases whose resident
// began are selected only for a reminder (opened, partial), and only
// while the response is in progress.
func LinkSelect(measurementID string, sel fieldwork.LinkSelection, key *secret.Key, join string) (string, []any, error) {
	disps := sel.Dispositions
	if len(disps) == 0 {
		disps = []string{sampling.DispNotSent}
	}
	started := false // a reminder: cases whose resident has begun
	for _, d := range disps {
		switch d {
		case sampling.DispNotSent, sampling.DispSent:
		case sampling.DispOpened, sampling.DispPartial:
			started = true
		default:
			return "", nil, survey.Errorf(survey.EINVALID, "只能给“未发送”“已发送”“已打开”或“部分完成”的样本发链接，不能给“%s”的", "links are issued only to not_sent, sent, opened or partial cases, not %q", d)
		}
	}
	if sel.WithContact && key == nil {
		return "", nil, survey.Errorf(survey.EINVALID, "未设置联系方式密钥 %s", "%s is not set", secret.EnvKey)
	}
	where := []string{`c.measurement_id = ?`, `c.released`, `c.invitation_id IS NOT NULL`, `c.disposition IN (` + InList(len(disps)) + `)`}
	if started {
		// The resident may have begun, never finished: the new link
		// resumes the same response.
		where = append(where, `(r.id IS NULL OR r.status = 'in_progress')`)
	} else {
		where = append(where, `r.id IS NULL`)
	}
	args := []any{measurementID}
	for _, d := range disps {
		args = append(args, d)
	}
	if len(sel.Districts) > 0 {
		where = append(where, `c.district IN (`+InList(len(sel.Districts))+`)`)
		for _, d := range sel.Districts {
			args = append(args, d)
		}
	}
	if len(sel.Batches) > 0 {
		where = append(where, `c.batch IN (`+InList(len(sel.Batches))+`)`)
		for _, b := range sel.Batches {
			args = append(args, b)
		}
	}
	if len(sel.CaseIDs) > 0 {
		where = append(where, `c.id IN (`+InList(len(sel.CaseIDs))+`)`)
		for _, id := range sel.CaseIDs {
			args = append(args, id)
		}
	}
	contacts := `LEFT JOIN frame_contacts fc ON false`
	if sel.WithContact {
		contacts = `JOIN frame_contacts fc ON fc.measurement_id = c.measurement_id AND fc.unit_id = c.unit_id`
	}
	q := `SELECT c.id, c.unit_id, c.district, c.sector, c.disposition, c.invitation_id, coalesce(fc.sealed, '') FROM cases c ` + join + `
		LEFT JOIN responses r ON r.invitation_id = c.invitation_id ` + contacts + `
		WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY c.position`
	if sel.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, sel.Limit)
	}
	return q, args, nil
}

// LinkPicks reads the rows of LinkSelect's query.
func LinkPicks(d *Dialect, rows *sql.Rows, err error) ([]LinkPick, error) {
	return ScanAll(d, "issue links", rows, err, func(sc Scanner) (LinkPick, error) {
		var p LinkPick
		err := sc.Scan(&p.Link.CaseID, &p.Link.UnitID, &p.Link.District, &p.Link.Sector, &p.Disp, &p.Inv, &p.Sealed)
		return p, err
	})
}

// IssueTokens gives each pick a fresh token (returned in its link, kept
// only as Hash), opens its contact with key when withContact, and sets
// where its disposition goes and the history note. It returns the links.
func IssueTokens(picks []LinkPick, withContact bool, key *secret.Key) ([]fieldwork.IssuedLink, error) {
	links := make([]fieldwork.IssuedLink, 0, len(picks))
	for i := range picks {
		p := &picks[i]
		if withContact {
			c, err := key.Open(p.Sealed)
			if err != nil {
				return nil, survey.Errorf(survey.EINVALID, "无法解密联系方式：密钥 %s 与导入时的不同", "cannot open the contact details: %s is not the key they were sealed with", secret.EnvKey)
			}
			p.Link.Contact = c
		}
		p.Link.Token, p.Hash = NewToken()
		p.Note = "link issued"
		if p.Disp != sampling.DispNotSent {
			p.Note = "link reissued; the earlier link no longer works"
		}
		// not_sent and sent move to sent; a reminder keeps the
		// disposition (opened, partial) and the history records the new
		// link only.
		p.To = p.Disp
		if p.Disp == sampling.DispNotSent || p.Disp == sampling.DispSent {
			p.To = sampling.DispSent
		}
		links = append(links, p.Link)
	}
	return links, nil
}
