package main

import (
	"fmt"
	"os"
)

type Config struct{ DB *DB }
type DB struct{ URL string }

func connect(c *Config) string { return c.DB.URL }

func main() {
	c := &Config{}
	if len(os.Args) > 5 {
		c.DB = &DB{}
	}
	fmt.Println(connect(c))
}
