package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"manyi/survey"
)

// Params are argon2id's cost parameters. Memory is in KiB.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams size argon2id for the 2-core server manyi runs on: 64 MiB,
// two passes, two lanes (one per core). BenchmarkHash measured 200–290 ms
// per hash on the shared 2-core build machine at load 6, so roughly 100 ms
// on an idle server: slow enough that a stolen database yields only a few
// guesses per second per core instead of billions on a GPU, fast enough that
// a login does not feel slow. RFC 9106 §4 suggests 64 MiB with t=3 for
// memory-constrained hosts; t=2 trades a third of that time for a login
// that stays quick while other work runs, and is still above OWASP's
// argon2id floor (19 MiB, t=2). Memory is what makes GPU cracking expensive,
// so it is the parameter kept high; hashSlots bounds how many hashes run at
// once so that a burst of logins cannot take more than 2 × 64 MiB.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// hashSlots bounds concurrent argon2 computations (each holds Memory KiB).
var hashSlots = make(chan struct{}, 2)

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// MaxPasswordLen bounds the input to the hash, so that a megabyte-long
// "password" cannot be used to burn CPU.
const MaxPasswordLen = 256

// HashPassword hashes password with DefaultParams and a fresh salt.
func HashPassword(password string) (string, error) { return DefaultParams.Hash(password) }

// Hash returns the PHC string of password:
// $argon2id$v=19$m=<KiB>,t=<time>,p=<threads>$<salt>$<hash>, salt and hash
// in unpadded standard base64, as the reference implementation and
// libsodium write it.
func (p Params) Hash(password string) (string, error) {
	if len(password) > MaxPasswordLen {
		return "", survey.Errorf(survey.EINVALID, "密码不能超过 %d 个字节", "the password must not be longer than %d bytes", MaxPasswordLen)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := p.key([]byte(password), salt)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func (p Params) key(password, salt []byte) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// decodeHash parses a PHC argon2id string.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("auth: not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("auth: unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("auth: bad argon2 parameters %q", parts[3])
	}
	// Refuse parameters no hash of ours has, so that a tampered row cannot
	// make a login allocate gigabytes or spin for minutes.
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return p, nil, nil, fmt.Errorf("auth: argon2 parameters out of range %q", parts[3])
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("auth: bad argon2 salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("auth: bad argon2 hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// VerifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time. A malformed encoded is an error, not a
// mismatch, so that a damaged row is noticed.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	got := p.key([]byte(password), salt)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with weaker parameters than
// p, so that a login can upgrade it while the password is at hand.
func NeedsRehash(encoded string, p Params) bool {
	q, _, _, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	return q.Memory < p.Memory || q.Time < p.Time || q.KeyLen < p.KeyLen || q.SaltLen < p.SaltLen
}

// dummyHash is verified against when a login names no account, so that an
// unknown name costs the same time as a wrong password and the response time
// does not tell which names exist. It is made on first use, not at start:
// commands that never log anyone in should not pay 64 MiB and ~100 ms.
var dummyHash = sync.OnceValue(func() string {
	h, err := DefaultParams.Hash("manyi-no-such-user-password")
	if err != nil {
		panic("auth: " + err.Error())
	}
	return h
})

// BurnVerify spends the time of one VerifyPassword on nothing. Call it when
// the named account does not exist (or is disabled) so that a login's
// duration does not reveal which user names are real.
func BurnVerify(password string) {
	h := dummyHash()
	_, _ = VerifyPassword(h, password)
}

// CheckPassword applies the password rules: at least MinPasswordLen
// characters, at most MaxPasswordLen bytes, not the user name (in any case,
// reversed or with digits around it), not one repeated character, and not a
// short list of the passwords everybody tries first. It returns EINVALID with
// a bilingual message naming the rule broken.
func CheckPassword(name, password string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return survey.Errorf(survey.EINVALID, "密码至少需要 %d 个字符（现在是 %d 个）", "the password needs at least %d characters (it has %d)", MinPasswordLen, n)
	}
	if len(password) > MaxPasswordLen {
		return survey.Errorf(survey.EINVALID, "密码不能超过 %d 个字节", "the password must not be longer than %d bytes", MaxPasswordLen)
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			return survey.Errorf(survey.EINVALID, "密码不能包含控制字符（如换行）", "the password must not contain control characters (such as a line break)")
		}
	}
	lp := strings.ToLower(password)
	core := strings.Trim(lp, "0123456789!@#$%^&*._- ")
	if name != "" {
		ln := strings.ToLower(name)
		if strings.Contains(lp, ln) && len(ln) >= 3 || lp == reverse(ln) || core == ln {
			return survey.Errorf(survey.EINVALID, "密码不能包含用户名", "the password must not contain the user name")
		}
	}
	if strings.Count(password, string([]rune(password)[0])) == n {
		return survey.Errorf(survey.EINVALID, "密码不能由同一个字符重复组成", "the password must not be one character repeated")
	}
	if common[lp] || common[core] {
		return survey.Errorf(survey.EINVALID, "这个密码太常见，请换一个", "this password is too common; choose another one")
	}
	return nil
}

// common are passwords of 10 or more characters from the top of public
// leak lists (and their Chinese favourites); the limiter is the real
// defence, this only refuses the first guesses.
var common = map[string]bool{
	"1234567890": true, "0123456789": true, "qwertyuiop": true, "1q2w3e4r5t": true,
	"password": true, "password123": true, "password1234": true, "passw0rd": true,
	"iloveyou": true, "1qaz2wsx3edc": true, "qwerty": true, "qwerty123456": true,
	"abc1234567": true, "abcdefghij": true, "woaini1314": true, "woaini": true,
	"admin": true, "administrator": true, "manyi": true, "welcome": true,
	"123456789a": true, "a123456789": true, "aa12345678": true, "zxcvbnm123": true,
	"asdfghjkl": true, "asdfghjkl1": true, "5201314": true, "letmein": true,
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// Name rules: 3–32 characters, lower-case letters, digits, '.', '_' and
// '-', starting with a letter. Names are case-insensitive (stored lower
// case) so that "Wang.Li" and "wang.li" cannot be two accounts.
const (
	MinNameLen = 3
	MaxNameLen = 32
)

// NormalizeUserName returns name trimmed and lower-cased, or EINVALID when
// it breaks the name rules, with a message saying which.
func NormalizeUserName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if l := len(n); l < MinNameLen || l > MaxNameLen {
		return "", survey.Errorf(survey.EINVALID, "用户名 %q 的长度应为 %d–%d 个字符", "the user name %q must be %d to %d characters long", name, MinNameLen, MaxNameLen)
	}
	if n[0] < 'a' || n[0] > 'z' {
		return "", survey.Errorf(survey.EINVALID, "用户名 %q 必须以字母开头", "the user name %q must start with a letter", name)
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", survey.Errorf(survey.EINVALID, "用户名 %q 只能包含字母、数字和 . _ -", "the user name %q may contain only letters, digits and . _ -", name)
		}
	}
	return n, nil
}
