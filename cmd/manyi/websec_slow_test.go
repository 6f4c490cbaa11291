package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// closedWithin reports whether the server closes conn within d (a read
// returns EOF or a reset), while the client keeps dripping drip every
// step.
func closedWithin(conn net.Conn, d, step time.Duration, drip string) bool {
	deadline := time.Now().Add(d)
	buf := make([]byte, 512)
	for time.Now().Before(deadline) {
		if drip != "" {
			if _, err := conn.Write([]byte(drip)); err != nil {
				return true
			}
		}
		conn.SetReadDeadline(time.Now().Add(step))
		for {
			_, err := conn.Read(buf)
			if err == nil {
				continue // a 408 or the like: keep reading until the close
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				break
			}
			return true
		}
	}
	return false
}

// TestSlowClients (issue 13, limits): the server `manyi serve` builds
// (newHTTPServer, with its timeouts shortened) on a real listener drops a
// slowloris client that never finishes its headers, a client that drips
// its body, and an idle keep-alive connection, and answers other clients
// all the while.
func TestSlowClients(t *testing.T) {
	to := timeouts{ReadHeader: 400 * time.Millisecond, Read: 800 * time.Millisecond, Write: time.Second, Idle: 600 * time.Millisecond}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "slow body", http.StatusRequestTimeout)
			return
		}
		io.WriteString(w, "ok")
	})
	srv := newHTTPServer(limitInFlight(h, 4), slog.New(slog.DiscardHandler), to)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Twenty slowloris connections: a request line, then one header line
	// every 100 ms, never the blank line.
	var wg sync.WaitGroup
	held := make([]bool, 20)
	for i := range held {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := dial()
			defer c.Close()
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n")
			held[i] = !closedWithin(c, 4*time.Second, 100*time.Millisecond, "X-Slow: 1\r\n")
		}(i)
	}
	// Meanwhile an ordinary client is served (more than the in-flight
	// limit of 4, so the slow ones hold no handler slot).
	time.Sleep(100 * time.Millisecond)
	for i := 0; i < 6; i++ {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("an ordinary request during the attack: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "ok" {
			t.Fatalf("an ordinary request during the attack: %q", b)
		}
	}
	wg.Wait()
	for i, h := range held {
		if h {
			t.Errorf("slowloris connection %d was still open after 4 s (header timeout %v)", i, to.ReadHeader)
		}
	}

	// A body dripped one byte every 100 ms: cut off by the read timeout.
	c := dial()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
	if !closedWithin(c, 4*time.Second, 100*time.Millisecond, "x") {
		t.Errorf("a dripped body kept its connection past the read timeout %v", to.Read)
	}
	c.Close()

	// An idle keep-alive connection is closed after the idle timeout.
	c = dial()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("keep-alive request: %v", err)
	}
	resp.Body.Close()
	if !closedWithin(c, 4*time.Second, 100*time.Millisecond, "") {
		t.Errorf("an idle connection was still open after 4 s (idle timeout %v)", to.Idle)
	}
	c.Close()
	if d := defaultTimeouts; d.ReadHeader <= 0 || d.ReadHeader > 15*time.Second || d.Read <= 0 || d.Write <= 0 || d.Idle <= 0 {
		t.Errorf("defaultTimeouts %+v: every timeout must be set, the header one short", d)
	}
}
