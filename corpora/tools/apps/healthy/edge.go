// Edge proxy stand-in: an HTTP server whose /inventory handler has a nil-pointer bug (net/http
// recovers the panic and logs it) and that briefly runs out of file descriptors under a burst
// of connections (net/http's accept loop backs off and retries).
package main

import (
	"log"
	"net/http"
	"os"
)

type inventory struct{ counts map[string]int }

var stock *inventory // never initialised: /inventory dereferences nil

func main() {
	addr := "127.0.0.1:8080"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/inventory", func(w http.ResponseWriter, r *http.Request) {
		n := stock.counts[r.URL.Query().Get("sku")]
		w.Write([]byte{byte('0' + n%10), '\n'})
	})
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s from %s", r.Method, r.URL.Path, r.RemoteAddr)
		mux.ServeHTTP(w, r)
	})
	log.Printf("edge listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, logged))
}
