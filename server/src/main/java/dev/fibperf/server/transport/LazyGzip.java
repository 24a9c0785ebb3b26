package dev.fibperf.server.transport;

import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * gzip for request bodies, opened on the first read instead of at once. gRPC's own gzip reads the
 * header when the frame arrives, so a body flagged as gzip that is not fails inside the transport:
 * the call ends UNKNOWN and the log gets a WARNING with a 40-line trace, for any client that asks.
 * Opened lazily, the failure happens while the request is parsed, where {@code StrictRequests}
 * answers it with INVALID_ARGUMENT and one quiet line.
 */
public final class LazyGzip implements Decompressor {
  /** The default registry (identity, gzip) with this gzip in place of gRPC's. */
  public static DecompressorRegistry registry() {
    return DecompressorRegistry.getDefaultInstance().with(new LazyGzip(), true);
  }

  @Override
  public String getMessageEncoding() {
    return "gzip";
  }

  @Override
  public InputStream decompress(InputStream compressed) {
    return new InputStream() {
      private InputStream gzip;

      private InputStream open() throws IOException {
        if (gzip == null) {
          gzip = new GZIPInputStream(compressed);
        }
        return gzip;
      }

      @Override
      public int read() throws IOException {
        return open().read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return open().read(b, off, len);
      }

      @Override
      public void close() throws IOException {
        if (gzip != null) {
          gzip.close();
        } else {
          compressed.close();
        }
      }
    };
  }
}
