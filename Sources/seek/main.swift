import SeekEngine
