package dev.zerolm.data;

/**
 * One example of a text classification dataset.
 *
 * @param source where it came from ("ca01" for a Brown passage, "train.jsonl:7"), for errors and split checks
 */
public record TextExample(String text, String label, String source) {}
