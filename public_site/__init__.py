"""The anonymous face: the product page behind each QR stamp, the public catalogue, producer pages."""
