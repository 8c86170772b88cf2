"""The park's programme: support given, adoption of recommended scenarios, recognition
candidates and the work summary (工作简报) built from them."""
